-- wrk script: each request takes the next path from the file named by PATHS (one per line),
-- with the session cookie from COOKIE.
local paths = {}
local i = 0
local cookie = os.getenv("COOKIE") or ""

init = function(args)
  local f = io.open(os.getenv("PATHS"), "r")
  for line in f:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  f:close()
  i = math.random(#paths)
end

request = function()
  i = i % #paths + 1
  local headers = {}
  if #cookie > 0 then headers["Cookie"] = cookie end
  return wrk.format("GET", paths[i], headers)
end
