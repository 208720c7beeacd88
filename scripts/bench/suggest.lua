-- wrk script: each request submits a suggestion (POST /api/v1/suggestions) on behalf of the
-- next worker of the file named by BODIES (one person id per line), with the API token from
-- TOKEN (the root's administrator, a clerk over every unit). Non-2xx answers are counted.
local rows = {}
local i = 0
local token = os.getenv("TOKEN") or ""
local titles = { "冲压线增加自动上料装置", "空压站余热回收利用", "更换节能照明灯具", "优化刀具换型流程", "改进叉车通道标识" }

init = function(args)
  local f = io.open(os.getenv("BODIES"), "r")
  for line in f:lines() do
    local p = line:match("^(%d+)")
    if p then rows[#rows + 1] = p end
  end
  f:close()
  i = math.random(#rows)
end

request = function()
  i = i % #rows + 1
  local body = '{"for_person_id":' .. rows[i] .. ',"title":"' .. titles[i % #titles + 1] ..
    '","category":"rationalization","situation":"现状：人工操作，效率低。","measure":"加装自动装置。",' ..
    '"expected_benefit_yuan":20000}'
  return wrk.format("POST", "/api/v1/suggestions", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end
