namespace OrleansStream.Connectors.Redis;

/// <summary>
/// The Lua script that commits one transaction of a <see cref="RedisStreamSink{T}"/>: atomically, it checks that
/// the stream key can take entries, sets the commit marker with SET NX, and adds the entries only if the marker
/// was new. Returns the number of entries added, or -1 when the transaction was committed before.
/// </summary>
/// <remarks>
/// KEYS[1] is the marker, KEYS[2] the stream. ARGV[1] is the marker TTL in seconds ("0": none), ARGV[2] the
/// approximate maximum stream length ("": none), then per entry its field count and its field/value pairs.
/// Redis does not roll a script back when a command in it fails, so everything that could make XADD fail is
/// checked before the marker is set.
/// </remarks>
internal static class RedisCommitScript
{
    public const int AlreadyCommitted = -1;

    public const string Source = """
        local keyType = redis.call('TYPE', KEYS[2])['ok']
        if keyType ~= 'none' and keyType ~= 'stream' then
          return redis.error_reply('the key ' .. KEYS[2] .. ' holds a ' .. keyType .. ', not a stream')
        end
        local marked
        if ARGV[1] == '0' then
          marked = redis.call('SET', KEYS[1], '1', 'NX')
        else
          marked = redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1])
        end
        if not marked then
          return -1
        end
        local head = {'XADD', KEYS[2]}
        if ARGV[2] ~= '' then
          head = {'XADD', KEYS[2], 'MAXLEN', '~', ARGV[2]}
        end
        head[#head + 1] = '*'
        local i = 3
        local added = 0
        while i <= #ARGV do
          local fields = tonumber(ARGV[i])
          local args = {unpack(head)}
          for j = i + 1, i + 2 * fields do
            args[#args + 1] = ARGV[j]
          end
          redis.call(unpack(args))
          i = i + 1 + 2 * fields
          added = added + 1
        end
        return added
        """;
}
