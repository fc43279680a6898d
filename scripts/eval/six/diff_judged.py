"""Per rule: findings now (mid) vs final, with how many judged FALSE/TRUE disappeared.
Usage: diff_judged.py NOW_DIR FINAL_DIR judged-now.tsv"""
import sys, os, re, collections
now_dir, final_dir, judged = sys.argv[1:4]
short = {"TracecatHQ__tracecat": "tracecat", "assafelovic__gpt-researcher": "gpt-researcher",
         "coderamp-labs__gitingest": "gitingest", "evroon__bracket": "bracket",
         "permitio__opal": "opal", "reworkd__AgentGPT": "AgentGPT"}
pat = re.compile(r"^(.+?):(\d+):\d+: ([A-Z]+\d+) ")
def load(d):
    out = collections.Counter()
    for f in os.listdir(d):
        if not f.endswith(".txt"): continue
        repo = short.get(f[:-4], f[:-4])
        for line in open(os.path.join(d, f), errors="replace"):
            m = pat.match(line)
            if m: out[(repo, m.group(3), f"{m.group(1)}:{m.group(2)}")] += 1
    return out
now, final = load(now_dir), load(final_dir)
verdict = {}
for line in open(judged):
    p = line.rstrip("\n").split("\t")
    if len(p) >= 4 and p[3] in ("TRUE", "FALSE"):
        verdict[(p[0], p[1], p[2])] = p[3]
rules = sorted({k[1] for k in now} | {k[1] for k in final})
print("rule\tnow\tfinal\tjudged_false_gone\tjudged_true_gone\tjudged_false_left\tjudged_true_left")
for r in rules:
    n = sum(v for k, v in now.items() if k[1] == r)
    f = sum(v for k, v in final.items() if k[1] == r)
    fg = sum(1 for k, v in verdict.items() if k[1] == r and v == "FALSE" and k in now and k not in final)
    tg = sum(1 for k, v in verdict.items() if k[1] == r and v == "TRUE" and k in now and k not in final)
    fl = sum(1 for k, v in verdict.items() if k[1] == r and v == "FALSE" and k in final)
    tl = sum(1 for k, v in verdict.items() if k[1] == r and v == "TRUE" and k in final)
    print(f"{r}\t{n}\t{f}\t{fg}\t{tg}\t{fl}\t{tl}")
