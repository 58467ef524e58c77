using System.Text;

namespace ZilOnnx.Tests.Style;

/// <summary>
/// The string literals of a C# source, with the line each starts on: regular, verbatim, interpolated (the strings inside
/// its holes are literals of their own, the holes themselves read as {}) and raw. Comments and char literals are passed
/// over, so a flag in a comment or a decrement in code is no literal. A lexer of just what tells strings from the rest,
/// since the tests have no compiler front end to ask.
/// </summary>
public sealed class StringLiterals
{
    private readonly string _source;
    private readonly List<(int Line, string Text)> _found = [];
    private int _at;
    private int _line = 1;

    private StringLiterals(string source) => _source = source;

    public static IReadOnlyList<(int Line, string Text)> In(string source)
    {
        var scanner = new StringLiterals(source);
        scanner.Code(inHole: false);
        return scanner._found;
    }

    private char Peek(int ahead) => _at + ahead < _source.Length ? _source[_at + ahead] : '\0';

    /// <summary>Code up to the end, or inside an interpolation hole up to the brace that closes it.</summary>
    private void Code(bool inHole)
    {
        int depth = 0;
        while (_at < _source.Length)
        {
            char c = _source[_at];
            if (c == '/' && Peek(1) == '/') SkipPast("\n");
            else if (c == '/' && Peek(1) == '*') SkipPast("*/");
            else if (c == '\'') CharLiteral();
            else if (StartsString()) StringLiteral();
            else if (inHole && c == '{') depth++;
            else if (inHole && c == '}' && depth-- == 0) return;
            Advance();
        }
    }

    /// <summary>Moves one character on (counting lines), unless the scan stopped on a character already passed.</summary>
    private void Advance()
    {
        if (_at >= _source.Length) return;
        if (_source[_at] == '\n') _line++;
        _at++;
    }

    private void SkipPast(string end)
    {
        while (_at < _source.Length && string.CompareOrdinal(_source, _at, end, 0, end.Length) != 0) Advance();
        for (int i = 1; i < end.Length; i++) Advance();
    }

    private void CharLiteral()
    {
        _at++;
        if (Peek(0) == '\\') _at++;
        _at++;
        while (_at < _source.Length && _source[_at] != '\'') _at++;
    }

    private bool StartsString()
    {
        int i = _at;
        while (i < _source.Length && _source[i] is '$' or '@') i++;
        return i < _source.Length && _source[i] == '"';
    }

    /// <summary>Reads the literal that starts here, leaving the scan on its closing quote.</summary>
    private void StringLiteral()
    {
        int line = _line;
        bool verbatim = false, interpolated = false;
        for (; _source[_at] != '"'; _at++)
        {
            verbatim |= _source[_at] == '@';
            interpolated |= _source[_at] == '$';
        }
        if (Peek(1) == '"' && Peek(2) == '"')
        {
            _at += 3;
            int start = _at;
            while (_at < _source.Length && string.CompareOrdinal(_source, _at, "\"\"\"", 0, 3) != 0) Advance();
            _found.Add((line, _source[start.._at]));
            _at += 2;
            return;
        }
        var text = new StringBuilder();
        _at++;
        while (_at < _source.Length)
        {
            char c = _source[_at];
            if (c == '"' && !(verbatim && Peek(1) == '"')) break;
            if (c == '"' || (!verbatim && c == '\\') || (interpolated && c is '{' or '}' && Peek(1) == c))
            {
                text.Append(c).Append(Peek(1));
                _at += 2;
            }
            else if (interpolated && c == '{')
            {
                _at++;
                Code(inHole: true);
                text.Append("{}");
                _at++;
            }
            else
            {
                text.Append(c);
                Advance();
            }
        }
        _found.Add((line, text.ToString()));
    }
}
