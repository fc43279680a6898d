fn main() {
    std::process::exit(prodlint::cli::main());
}
