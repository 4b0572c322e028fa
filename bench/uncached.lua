-- wrk script for `npm run bench:backend`: lookups that all miss the cache. Each lookup of user{i} comes half a
-- round (`users` requests) after a DELETE /api/cache/user{i}, far more than the connections in flight, so the
-- drop has landed before the lookup. Arguments: the number of users (user0, user1, …; even), the admin token, and
-- "drops" to send the DELETEs alone (what they cost, to take out of the lookups' figure).
local users, token, dropsOnly
local step = 0

function init(args)
  users = tonumber(args[1])
  token = args[2]
  dropsOnly = args[3] == "drops"
end

function request()
  step = step + 1
  local i = math.floor(step / 2) % users
  if dropsOnly or step % 2 == 0 then
    local dropped = (i + users / 2) % users
    return wrk.format("DELETE", "/api/cache/user" .. dropped, { Authorization = "Bearer " .. token })
  end
  return wrk.format("GET", "/api/pictures/user" .. i)
end
