# Sourced by the HTTP benchmarks: `measure URL` runs wrk (2 threads, 64 connections, $DURATION
# seconds) and prints its summary as "requests/s p50_ms p99_ms", failing on any error answer.
measure() {
  wrk -t2 -c64 -d"${DURATION}s" --latency "$1" | python3 -c '
import re, sys
text = sys.stdin.read()
def ms(label):
    m = re.search(r"^\s+" + label + r"%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
assert not errors, "error responses: " + errors.group(1)
print(float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), ms("50"), ms("99"))'
}
