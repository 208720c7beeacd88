-- wrk script: each request records a ledger activity (POST /api/v1/activities) in the next
-- studio of the file named by BODIES (lines "studio_id host_person_id"), with the API token
-- from TOKEN. Non-2xx answers are counted by wrk and reported.
local rows = {}
local i = 0
local token = os.getenv("TOKEN") or ""
local held_on = os.getenv("HELD_ON") or "2026-01-05"

init = function(args)
  local f = io.open(os.getenv("BODIES"), "r")
  for line in f:lines() do
    local s, h = line:match("^(%d+) (%d+)$")
    if s then rows[#rows + 1] = { s, h } end
  end
  f:close()
  i = math.random(#rows)
end

request = function()
  i = i % #rows + 1
  local r = rows[i]
  local body = '{"studio_id":' .. r[1] .. ',"kind":"training","held_on":"' .. held_on ..
    '","place":"实训基地","host_person_id":' .. r[2] .. ',"title":"岗位技能培训","hours":2,' ..
    '"attendee_ids":[' .. r[2] .. '],"trainees":12,"summary":"讲解操作要点并现场练习。"}'
  return wrk.format("POST", "/api/v1/activities", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end
