-- The wrk script of `make bench-http` (bench/http/bench_http.mjs runs it):
--   wrk -s load.lua URL -- MODE FILE BASE NTHREADS
-- MODE
--   tdx     POST /api/verify/tee-attestation; FILE holds the request body
--           with @MRTD@ where expected.runtime.mrtd goes. Request k gets
--           the quote's MRTD with the case of its hex letters set from the
--           bits of BASE + k (teepassd compares hex case-insensitively, so
--           every variant matches): each request a distinct request digest
--           and so a new passport committed, never the earlier one handed
--           out again. MRTD is the 5th argument (lower case).
--   mock    POST /api/verify/tee-attestation; FILE holds one body a line
--           (each with its own single-use nonce); thread t of NTHREADS
--           sends lines t, t + NTHREADS, ...; a thread out of lines stops
--           (reported as exhausted: the runner reruns with more).
--   lookup  GET /api/passports/<id>; FILE holds one id a line, cycled.
-- Every reply other than 2xx, and for the verify modes every verdict that
-- is not valid with a passport, counts as bad; done() prints one line
-- "WRKRESULT <json>" the runner reads.

local threads = {}

function setup(thread)
	table.insert(threads, thread)
	thread:set("tid", #threads - 1)
end

local function read_file(path)
	local f = assert(io.open(path, "rb"))
	local s = f:read("*a")
	f:close()
	return s
end

local function lines(path)
	local out = {}
	for l in io.lines(path) do
		if #l > 0 then
			out[#out + 1] = l
		end
	end
	return out
end

local mode, prefix, suffix, mrtd, base, nthreads, pool, next_i
local headers = { ["Content-Type"] = "application/json" }

function init(args)
	mode = args[1]
	base = tonumber(args[3])
	nthreads = tonumber(args[4])
	ok, bad, exhausted, sent = 0, 0, 0, 0
	samples = ""
	if mode == "tdx" then
		local body = read_file(args[2])
		local at = assert(body:find("@MRTD@", 1, true))
		prefix = body:sub(1, at - 1)
		suffix = body:sub(at + 6)
		mrtd = {}
		for i = 1, #args[5] do
			mrtd[i] = args[5]:sub(i, i)
		end
		next_i = tid
	elseif mode == "mock" or mode == "lookup" then
		pool = lines(args[2])
		next_i = tid + 1
	else
		error("load.lua: unknown mode " .. tostring(mode))
	end
end

-- The MRTD hex with the case of its letters taken from the bits of n.
local function variant(n)
	local out = {}
	for i = 1, #mrtd do
		local c = mrtd[i]
		if c >= "a" and c <= "f" then
			if n % 2 == 1 then
				c = c:upper()
			end
			n = math.floor(n / 2)
		end
		out[i] = c
	end
	assert(n == 0, "load.lua: request index beyond the MRTD's letters")
	return table.concat(out)
end

function request()
	sent = sent + 1
	if mode == "tdx" then
		local n = base + next_i
		next_i = next_i + nthreads
		return wrk.format("POST", "/api/verify/tee-attestation", headers,
			prefix .. variant(n) .. suffix)
	elseif mode == "mock" then
		local body = pool[next_i]
		if body == nil then
			-- Out of nonces: stop this thread; what this last request
			-- answers is not counted.
			exhausted = 1
			wrk.thread:stop()
			return wrk.format("GET", "/healthz")
		end
		next_i = next_i + nthreads
		return wrk.format("POST", "/api/verify/tee-attestation", headers, body)
	else
		local id = pool[(next_i - 1) % #pool + 1]
		next_i = next_i + 1
		return wrk.format("GET", "/api/passports/" .. id)
	end
end

local function sample(status, body)
	if #samples < 2000 then
		samples = samples .. status .. " " .. body:sub(1, 300) .. "\n"
	end
end

function response(status, headers, body)
	if exhausted == 1 then
		return
	end
	if status < 200 or status > 299 then
		bad = bad + 1
		sample(status, body)
	elseif mode ~= "lookup" and
		(not body:find('"valid":true', 1, true) or
			not body:find('"passport":{"id":"', 1, true)) then
		bad = bad + 1
		sample(status, body)
	else
		ok = ok + 1
	end
end

local function json_string(s)
	s = s:gsub('[%c"\\]', function(c)
		return string.format("\\u%04x", c:byte())
	end)
	return '"' .. s .. '"'
end

function done(summary, latency, requests)
	local t = { ok = 0, bad = 0, exhausted = 0, sent = 0 }
	local smp = ""
	for _, th in ipairs(threads) do
		t.ok = t.ok + th:get("ok")
		t.bad = t.bad + th:get("bad")
		t.exhausted = t.exhausted + th:get("exhausted")
		t.sent = t.sent + th:get("sent")
		smp = smp .. th:get("samples")
	end
	local e = summary.errors
	io.write(string.format(
		'WRKRESULT {"requests":%d,"duration_us":%d,"ok":%d,"bad":%d,' ..
		'"sent":%d,"exhausted":%d,"connect":%d,"read":%d,"write":%d,' ..
		'"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,' ..
		'"mean_us":%.1f,"max_us":%d,"samples":%s}\n',
		summary.requests, summary.duration, t.ok, t.bad, t.sent,
		t.exhausted, e.connect, e.read, e.write, e.status, e.timeout,
		latency:percentile(50), latency:percentile(99), latency.mean,
		latency.max, json_string(smp)))
end
