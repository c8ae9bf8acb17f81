-- wrk script of bench/load.ts: POSTs one body with fixed headers and compares every response, byte for byte,
-- with the scenario's validated reference. Its inputs are files in the folder named by BENCH_WRK_DIR:
--   body, expected, headers (one "name: value" per line); a first mismatching body is written to mismatch.
local dir = assert(os.getenv("BENCH_WRK_DIR"), "BENCH_WRK_DIR is not set")

local function read(name)
  local file = assert(io.open(dir .. "/" .. name, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

wrk.method = "POST"
wrk.body = read("body")
for line in read("headers"):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+): (.*)$")
  if name then wrk.headers[name] = value end
end

local expected = read("expected")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

matched = 0
mismatched = 0
local reported = false

-- A status of 400 or more is counted by wrk itself (summary.errors.status); any other answer that is not the
-- reference is a mismatch. The first bad answer is kept for the report.
function response(status, headers, body)
  if status == 200 and body == expected then
    matched = matched + 1
    return
  end
  if status < 400 then mismatched = mismatched + 1 end
  if not reported then
    reported = true
    local file = io.open(dir .. "/mismatch", "wb")
    if file then
      file:write("HTTP ", tostring(status), "\n", body or "")
      file:close()
    end
  end
end

function done(summary, latency, requests)
  local total_matched, total_mismatched = 0, 0
  for _, thread in ipairs(threads) do
    total_matched = total_matched + thread:get("matched")
    total_mismatched = total_mismatched + thread:get("mismatched")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_WRK {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%d,"p99Us":%d,"meanUs":%.3f,"matched":%d,"mismatched":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, total_matched, total_mismatched))
end
