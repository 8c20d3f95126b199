using System.Globalization;

namespace OrleansStream.Nexmark.Generator;

/// <summary>
/// The strings of generated events. Names, cities, states, channels and URLs come from fixed tables (the
/// reference's), built once, so most events share their strings instead of allocating them.
/// </summary>
internal static class NexmarkText
{
    private const int MinStringLength = 3;
    private const int ChannelCount = 10_000;

    public static readonly string[] States = ["AZ", "CA", "ID", "OR", "WA", "WY"];

    public static readonly string[] Cities = ["Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"];

    private static readonly string[] FirstNames = ["Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"];

    private static readonly string[] LastNames = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"];

    /// <summary>Every first-and-last-name pair, so a person's name is picked, not concatenated.</summary>
    private static readonly string[] FullNames = [.. FirstNames.SelectMany(first => LastNames.Select(last => $"{first} {last}"))];

    public static readonly string[] HotChannels = ["Google", "Facebook", "Baidu", "Apple"];

    // Tables drawn from fixed seeds, not the job's: they are vocabulary, the same for every run (as in the reference).
    public static readonly string[] HotUrls = CreateHotUrls();

    private static readonly (string Channel, string Url)[] Channels = CreateChannels();

    /// <summary>A long random text whose slices pad the <c>extra</c> field without building a string per character.</summary>
    private static readonly string ExtraText = CreateExtraText(1 << 20);

    public static string PersonName(ref EventRandom random) => FullNames[random.NextInt(FullNames.Length)];

    public static string Email(ref EventRandom random) => $"{RandomString(ref random, 7, ' ')}@{RandomString(ref random, 5, ' ')}.com";

    public static string CreditCard(ref EventRandom random)
        => string.Create(CultureInfo.InvariantCulture, $"{random.NextInt(10_000):D4} {random.NextInt(10_000):D4} {random.NextInt(10_000):D4} {random.NextInt(10_000):D4}");

    public static (string Channel, string Url) Channel(ref EventRandom random) => Channels[random.NextInt(ChannelCount)];

    /// <summary>Lower-case letters with an occasional <paramref name="special"/>, 3 to <paramref name="maxLength"/> - 1 long, trimmed.</summary>
    public static string RandomString(ref EventRandom random, int maxLength, char special)
    {
        int length = MinStringLength + random.NextInt(maxLength - MinStringLength);
        Span<char> chars = stackalloc char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = random.NextInt(13) == 0 ? special : (char)('a' + random.NextInt(26));
        }

        return new string(chars.Trim(' '));
    }

    /// <summary>
    /// Padding that brings a record of <paramref name="currentSize"/> bytes to <paramref name="averageSize"/> on
    /// average (uniform within ±20%), or empty when the record is already that large.
    /// </summary>
    public static string Extra(ref EventRandom random, int currentSize, int averageSize)
    {
        if (currentSize > averageSize)
        {
            return "";
        }

        int wanted = averageSize - currentSize;
        int delta = (int)Math.Round(wanted * 0.2, MidpointRounding.AwayFromZero);
        int size = wanted - delta + (delta == 0 ? 0 : random.NextInt(2 * delta));
        int offset = random.NextInt(ExtraText.Length - size);
        return ExtraText.Substring(offset, size);
    }

    private static string[] CreateHotUrls()
    {
        var random = new EventRandom(seed: -1, index: 0);
        return [.. HotChannels.Select(_ => BaseUrl(ref random))];
    }

    private static (string, string)[] CreateChannels()
    {
        var random = new EventRandom(seed: -2, index: 0);
        var channels = new (string, string)[ChannelCount];
        for (int i = 0; i < ChannelCount; i++)
        {
            string url = BaseUrl(ref random);
            if (random.NextInt(10) > 0)
            {
                url = string.Create(CultureInfo.InvariantCulture, $"{url}&channel_id={Math.Abs(ReverseBits(i))}");
            }

            channels[i] = (string.Create(CultureInfo.InvariantCulture, $"channel-{i}"), url);
        }

        return channels;
    }

    private static string BaseUrl(ref EventRandom random)
        => $"https://www.nexmark.com/{RandomString(ref random, 5, '_')}/{RandomString(ref random, 5, '_')}/{RandomString(ref random, 5, '_')}/item.htm?query=1";

    private static int ReverseBits(int value)
    {
        uint v = (uint)value;
        uint reversed = 0;
        for (int i = 0; i < 32; i++)
        {
            reversed = (reversed << 1) | (v & 1);
            v >>= 1;
        }

        return (int)reversed == int.MinValue ? int.MaxValue : (int)reversed;
    }

    private static string CreateExtraText(int length)
    {
        var random = new EventRandom(seed: -3, index: 0);
        return string.Create(length, random, static (chars, r) =>
        {
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)('a' + r.NextInt(26));
            }
        });
    }
}
