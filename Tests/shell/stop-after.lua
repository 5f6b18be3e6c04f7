-- wrk script: each thread stops after STOP_AFTER responses (default 50,000), so that a load
-- is bounded in count as well as by wrk's -d.
local limit = tonumber(os.getenv("STOP_AFTER") or "50000")
local count = 0
response = function(status, headers, body)
    count = count + 1
    if count >= limit then wrk.thread:stop() end
end
