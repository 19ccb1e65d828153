import { createHash } from 'node:crypto';

/** A Lua script run with EVALSHA, sent in full only when Redis does not know it yet. */
export interface Script {
  readonly lua: string;
  readonly sha: string;
  readonly keys: number;
}

const script = (keys: number, lua: string): Script => ({ lua, keys, sha: createHash('sha1').update(lua).digest('hex') });

/**
 * KEYS: token. Returns `[entry, pttl]` or nil. Read together so the remaining lifetime is
 * Redis's own countdown, the same for every host whatever its clock says.
 */
export const GET = script(
  1,
  `local raw = redis.call('GET', KEYS[1])
if not raw then return false end
return {raw, redis.call('PTTL', KEYS[1])}`,
);

/**
 * KEYS: token, fence. ARGV: entry, ttl ms, fence ('' for none), channel, message.
 * Refuses (0) a write whose fence is older than the newest lock taken on the key: its holder's
 * lock expired and someone else has refreshed since. Publishes the change when written (1).
 */
export const SET = script(
  2,
  `local fence = tonumber(ARGV[3])
if fence then
  local newest = tonumber(redis.call('GET', KEYS[2])) or 0
  if fence < newest then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`,
);

/**
 * KEYS: token. ARGV: fingerprint, channel, message. Deletes (1) only while the stored entry is
 * the token with that fingerprint; the value may be encrypted, so the fingerprint is compared.
 */
export const DELETE_IF_EQUAL = script(
  1,
  `local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, entry = pcall(cjson.decode, raw)
if not ok or type(entry) ~= 'table' or entry.fp ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`,
);

/**
 * KEYS: lock, fence. ARGV: owner, ttl ms. Returns the fence, or nil while someone holds the lock.
 * The fence is at least Redis's clock in ms, so it keeps growing even after a Redis restart
 * that lost the counter; a holder from before the restart can then not overwrite newer tokens.
 */
export const LOCK = script(
  2,
  `if redis.replicate_commands then redis.replicate_commands() end
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local fence = redis.call('INCR', KEYS[2])
local now = redis.call('TIME')
local floor = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if fence < floor then
  fence = floor
  redis.call('SET', KEYS[2], string.format('%.0f', fence))
end
redis.call('PEXPIRE', KEYS[2], 86400000)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return fence`,
);

/** KEYS: lock. ARGV: owner. Deletes the lock only while `owner` still holds it. */
/** KEYS: lock. ARGV: owner, ttl ms. Extends the lock (1) only while it is still this owner's. */
export const EXTEND = script(
  1,
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
);

export const UNLOCK = script(
  1,
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
);
