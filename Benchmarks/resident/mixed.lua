-- wrk script: every connection alternates between the static file and the script (MIXED_A,
-- MIXED_B), so that one set of connections carries both, half and half.
local paths = { os.getenv("MIXED_A"), os.getenv("MIXED_B") }
local turn = 0
request = function()
    turn = turn + 1
    return wrk.format("GET", paths[turn % 2 + 1])
end
