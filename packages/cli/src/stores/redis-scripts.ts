/**
 * Lua scripts of the Redis rate-limit store. Each runs atomically on the server, so a draw from several
 * buckets, or a slot count and add, cannot interleave with another replica's.
 *
 * The scripts read the time with `redis.call('TIME')`, the server's clock: replicas whose clocks are
 * skewed still agree on how much a bucket has refilled and when a slot expires.
 */

// Redis before 5 needs effects replication to write after TIME; from 5 on this is the default (no-op).
const PRELUDE = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- PEXPIRE refuses times past the end of its range; a bucket that slow is as good as never idle.
local function idle(ms) return math.min(math.ceil(ms), 1000000000000000) end
`;

/**
 * Takes one token from every bucket, all or nothing. KEYS: the bucket hashes `{tokens, at}`. ARGV:
 * capacity and refill per second of each bucket, in KEYS order. Answers 0 when taken, else the ms
 * until every bucket holds a token. A bucket expires once it would have refilled to capacity (a full
 * bucket is the same as none), plus a second of margin.
 */
export const TAKE_SCRIPT = `${PRELUDE}
local n = #KEYS
local tokens = {}
local wait = 0
for i = 1, n do
  local cap = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i])
  local s = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local tk = cap
  if s[1] and s[2] then
    local elapsed = now - tonumber(s[2])
    if elapsed < 0 then elapsed = 0 end
    tk = math.min(cap, tonumber(s[1]) + elapsed * rate / 1000)
  end
  tokens[i] = tk
  if tk < 1 then
    local w = math.ceil((1 - tk) * 1000 / rate)
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i = 1, n do
  local cap = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i])
  local left = tokens[i] - 1
  redis.call('HSET', KEYS[i], 'tokens', string.format('%.17g', left), 'at', string.format('%.17g', now))
  redis.call('PEXPIRE', KEYS[i], idle((cap - left) * 1000 / rate + 1000))
end
return 0
`;

/**
 * Takes a concurrency slot. KEYS[1]: the sorted set of held slots scored by expiry (server ms). ARGV:
 * the limit, the slot's lifetime in ms, its unique member. Answers 0 when taken, else the ms until the
 * earliest held slot expires (at least 1). The set expires with its last slot, plus a second.
 */
export const ACQUIRE_SCRIPT = `${PRELUDE}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local w = math.ceil(tonumber(first[2]) - now)
  if w < 1 then w = 1 end
  return w
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], idle(tonumber(last[2]) - now + 1000))
return 0
`;
