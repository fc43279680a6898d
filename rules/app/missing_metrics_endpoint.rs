//! OBS001 (project rule): a `FastAPI()` app and no Prometheus (or OpenTelemetry metrics)
//! instrumentation anywhere in the project.

use super::{last_segment, primary_apps, route_paths, uses_any};
use crate::facts::ProjectFacts;
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
];

pub fn check(facts: &ProjectFacts, ctx: &mut Ctx<'_>) {
    let index = &facts.python;
    let apps = primary_apps(index);
    if apps.is_empty() || uses_any(index, INSTRUMENTATION).is_some() {
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
            "this FastAPI app exports no metrics: no Prometheus instrumentation (prometheus_client `make_asgi_app`, `Instrumentator().instrument(app)`, starlette-exporter, an OpenTelemetry exporter) and no `/metrics` route anywhere in the project",
        )
        .help("add `Instrumentator().instrument(app).expose(app)` (prometheus-fastapi-instrumentator) or `app.mount(\"/metrics\", make_asgi_app())`");
    }
}
