-- wrk script for scripts/bench-http.sh: cycles through request paths read from a file, one per line.
--   wrk -t2 -c32 -d20s --latency -s scripts/bench-http.lua http://127.0.0.1:8080 -- paths.txt
-- Each wrk thread has its own Lua state: it reads the file in init() and starts at its own offset.
local paths = {}
local next_index = 0
local threads = 0

-- Runs in the main Lua state once per thread before init(): numbers the threads.
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  local file = args[1]
  if file == nil then error("bench-http.lua: pass the paths file after --") end
  for line in io.lines(file) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("bench-http.lua: no paths in " .. file) end
  next_index = (wrk.thread and tonumber(wrk.thread:get("id")) or 0) % #paths
end

function request()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end
