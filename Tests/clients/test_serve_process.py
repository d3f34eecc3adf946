"""`paperboy serve` as an operator runs it: configuration from the environment, JSON logs,
metrics, and a clean stop on SIGTERM."""
import json, os, signal, urllib.request

from paperboy_process import HF_SAMPLE, RunningPaperboy


def test_environment_configuration_json_logs_metrics_and_sigterm():
    server = RunningPaperboy(HF_SAMPLE, env={"PAPERBOY_LOG_FORMAT": "json",
                                             "PAPERBOY_PUBLIC_URL": "https://papers.example.org/"})
    try:
        with urllib.request.urlopen(server.url + "/feeds/daily.rss", timeout=10) as response:
            assert b"<link>https://papers.example.org/papers/2608.19880</link>" in response.read()
        with urllib.request.urlopen(server.url + "/metrics", timeout=10) as response:
            metrics = response.read().decode()
        assert 'paperboy_http_requests_total{route="/feeds/{file}",method="GET",status="200"} 1' in metrics
    finally:
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(timeout=15)
        server.log.close()
    assert code == 0, "SIGTERM is a clean stop"
    lines = [json.loads(line) for line in open(server.log.name) if line.startswith("{")]
    requests = [l for l in lines if l["msg"] == "request"]
    assert any(l["path"] == "/feeds/daily.rss" and l["status"] == 200 and isinstance(l["duration_ms"], float) for l in requests)
    assert lines[-1]["msg"] == "stopped"
