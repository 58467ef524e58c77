using System.Globalization;
using System.Text;

namespace ZilOnnx.Trainer.Data;

/// <summary>The Python literal syntax of .npy headers.</summary>
public static partial class NpyFormat
{
    private sealed record PythonSequence(bool IsTuple, List<object?> Items);

    /// <summary>
    /// Parses the small subset of Python literal syntax that .npy headers use: dicts, tuples, lists, strings,
    /// integers, True, False and None. It never evaluates anything, unlike Python's own loader would.
    /// </summary>
    private sealed class PythonLiteralParser(string text)
    {
        private int _position;

        public object? ParseWhole()
        {
            object? value = ParseValue();
            SkipWhitespace();
            if (_position != text.Length)
                throw new FormatException($"unexpected '{text[_position]}' at offset {_position}");
            return value;
        }

        private object? ParseValue()
        {
            SkipWhitespace();
            if (_position >= text.Length) throw new FormatException("the header ends early");
            char c = text[_position];
            return c switch
            {
                '{' => ParseDict(),
                '(' => new PythonSequence(true, ParseItems('(', ')')),
                '[' => new PythonSequence(false, ParseItems('[', ']')),
                '\'' or '"' => ParseString(),
                _ when c == '-' || char.IsAsciiDigit(c) => ParseInteger(),
                _ when char.IsAsciiLetter(c) => ParseName(),
                _ => throw new FormatException($"unexpected '{c}' at offset {_position}"),
            };
        }

        private Dictionary<string, object?> ParseDict()
        {
            var dict = new Dictionary<string, object?>();
            _position++; // '{'
            while (true)
            {
                SkipWhitespace();
                if (TryConsume('}')) return dict;
                if (ParseValue() is not string key) throw new FormatException("dict keys must be strings");
                SkipWhitespace();
                if (!TryConsume(':')) throw new FormatException($"expected ':' after key '{key}'");
                if (!dict.TryAdd(key, ParseValue())) throw new FormatException($"key '{key}' appears twice");
                SkipWhitespace();
                if (TryConsume('}')) return dict;
                if (!TryConsume(',')) throw new FormatException("expected ',' or '}' in dict");
            }
        }

        private List<object?> ParseItems(char open, char close)
        {
            var items = new List<object?>();
            _position++; // open
            while (true)
            {
                SkipWhitespace();
                if (TryConsume(close)) return items;
                items.Add(ParseValue());
                SkipWhitespace();
                if (TryConsume(close)) return items;
                if (!TryConsume(',')) throw new FormatException($"expected ',' or '{close}' after an item of '{open}'");
            }
        }

        private string ParseString()
        {
            char quote = text[_position++];
            var value = new StringBuilder();
            while (_position < text.Length && text[_position] != quote)
            {
                char c = text[_position++];
                if (c == '\\' && _position < text.Length) c = text[_position++];
                value.Append(c);
            }
            if (!TryConsume(quote)) throw new FormatException("unterminated string");
            return value.ToString();
        }

        private long ParseInteger()
        {
            int start = _position;
            if (text[_position] == '-') _position++;
            while (_position < text.Length && char.IsAsciiDigit(text[_position])) _position++;
            string digits = text[start.._position];
            // Python 2 wrote long integers with an 'L' suffix; old files still carry it.
            if (_position < text.Length && text[_position] is 'L' or 'l') _position++;
            if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                throw new FormatException($"integer {digits} is out of range");
            return value;
        }

        private object? ParseName()
        {
            int start = _position;
            while (_position < text.Length && char.IsAsciiLetterOrDigit(text[_position])) _position++;
            return text[start.._position] switch
            {
                "True" => true,
                "False" => false,
                "None" => null,
                string name => throw new FormatException($"unexpected name '{name}'"),
            };
        }

        private void SkipWhitespace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position])) _position++;
        }

        private bool TryConsume(char c)
        {
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }
            return false;
        }
    }
}
