-- wrk script: each request approves one waiting expense (POST /api/v1/expenses/{id}/transitions)
-- from the file named by BODIES (one expense id a line), with the API token from TOKEN. An
-- expense is approved once only, so the threads take alternate ids from a cursor kept in the
-- file CURSOR between runs (rounds): no request repeats an approval. Non-2xx answers (a list
-- run dry would answer 409) are counted by wrk and reported.
local ids = {}
local token = os.getenv("TOKEN") or ""
local cursor_file = os.getenv("CURSOR") or "/tmp/approve_cursor"
local threads = {}
local count = 0

local function read_cursor()
  local f = io.open(cursor_file, "r")
  if not f then return 0 end
  local n = tonumber(f:read("*l") or "0") or 0
  f:close()
  return n
end

setup = function(thread)
  thread:set("k", #threads)
  threads[#threads + 1] = thread
end

init = function(args)
  local f = io.open(os.getenv("BODIES"), "r")
  for line in f:lines() do
    local id = line:match("^(%d+)$")
    if id then ids[#ids + 1] = id end
  end
  f:close()
  start = read_cursor()
  n = 0
end

request = function()
  local at = start + n * 2 + k + 1
  n = n + 1
  local id = ids[(at - 1) % #ids + 1]
  return wrk.format("POST", "/api/v1/expenses/" .. id .. "/transitions", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, '{"action":"approve"}')
end

-- The next run starts after every id this one may have taken. The cursor is taken from a
-- thread (which read it in init): read again here, in wrk's main state, it came back as 0,
-- and the next run approved the same expenses again (409 for each).
done = function(summary, latency, requests)
  local most, from = 0, 0
  for _, t in ipairs(threads) do
    local m = t:get("n") or 0
    if m > most then most = m end
    from = t:get("start") or from
  end
  local f = io.open(cursor_file, "w")
  f:write(tostring(from + most * 2 + 2) .. "\n")
  f:close()
end
