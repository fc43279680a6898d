//! OBS001 (project rule): a `FastAPI()` app and no Prometheus (or OpenTelemetry metrics)
//! instrumentation anywhere in the project.

use crate::facts::ProjectFacts;
use crate::python::apps::{last_segment, primary_apps, route_paths, uses_any};
use crate::registry::Ctx;

pub const META: &str = include_str!("missing_metrics_endpoint.toml");

/// Names whose use shows that metrics are exported.
const INSTRUMENTATION: &[&str] = &[
    // prometheus_client: the ways to serve the registry.
    "prometheus_client.make_asgi_app",
    "prometheus_client.make_wsgi_app",
    "prometheus_client.generate_latest",
    "prometheus_client.start_http_server",
    "prometheus_client.start_wsgi_server",
    "prometheus_client.exposition",
    // Metrics recorded with prometheus_client: how the registry leaves the process (a
    // multiprocess collector served by another process, a gunicorn hook, a sidecar, a remote
    // write pusher) is often outside the Python code we read; recording them is the
    // instrumentation this rule asks for.
    "prometheus_client.Counter",
    "prometheus_client.Histogram",
    "prometheus_client.Gauge",
    "prometheus_client.Summary",
    "prometheus_client.Info",
    "prometheus_client.Enum",
    "prometheus_client.metrics",
    "prometheus_client.multiprocess",
    // Push-based export: the Pushgateway.
    "prometheus_client.push_to_gateway",
    "prometheus_client.pushadd_to_gateway",
    "prometheus_client.gateway",
    // Instrumentation libraries.
    "prometheus_fastapi_instrumentator",
    "starlette_exporter",
    "starlette_prometheus",
    "aioprometheus",
    "prometheus_async",
    "fastapi_prometheus",
    // OpenTelemetry metrics: the Prometheus exporter, or a meter provider (any exporter).
    "opentelemetry.exporter.prometheus",
    "opentelemetry.sdk.metrics",
    "opentelemetry.exporter.otlp.proto.grpc.metric_exporter",
    "opentelemetry.exporter.otlp.proto.http.metric_exporter",
];

/// The OpenTelemetry metrics API (`from opentelemetry import metrics`; `metrics.get_meter(...)`)
/// records nothing by itself; it does when an SDK is configured, which auto-instrumentation
/// (`opentelemetry-instrument`, from opentelemetry-distro) does from the environment.
const OTEL_API: &[&str] = &["opentelemetry.metrics", "opentelemetry._metrics"];

/// Distributions that configure a meter provider for the API at start-up.
const OTEL_SDK_DISTRIBUTIONS: &[&str] = &["opentelemetry-distro", "opentelemetry-sdk"];

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let index = &facts.python;
    let apps = primary_apps(index);
    if apps.is_empty() || uses_any(index, INSTRUMENTATION).is_some() {
        return;
    }
    let sdk = facts
        .dependencies
        .iter()
        .any(|d| OTEL_SDK_DISTRIBUTIONS.contains(&d.name.as_str()));
    if sdk && uses_any(index, OTEL_API).is_some() {
        return;
    }
    // A `/metrics` route or mount serves them, whatever builds it.
    if route_paths(index)
        .iter()
        .any(|p| last_segment(p).as_deref() == Some("metrics"))
    {
        return;
    }
    for (module, app) in apps {
        ctx.report_in(
            module.file,
            app.span.clone(),
            "this FastAPI app exports no metrics: no Prometheus instrumentation (prometheus_client metrics or `make_asgi_app`, `push_to_gateway`, `Instrumentator().instrument(app)`, starlette-exporter, an OpenTelemetry meter provider) and no `/metrics` route anywhere in the project",
        )
        .help("add `Instrumentator().instrument(app).expose(app)` (prometheus-fastapi-instrumentator) or `app.mount(\"/metrics\", make_asgi_app())`");
    }
}
