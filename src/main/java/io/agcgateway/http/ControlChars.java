package io.agcgateway.http;

/**
 * C0 control characters (U+0000-U+001F) and DEL in text that reaches a store or an operation row. PostgreSQL text cannot
 * hold U+0000 at all, so one NUL in a key failed every statement it took part in (issue 12: the whole operation-log batch);
 * the others are never part of a key, id, token or URL (RFC 3986 §2, RFC 6749 Appendix A) and only hide what was sent.
 */
public final class ControlChars {
    private ControlChars() {
    }

    /** Index of the first control character in {@code s}, or -1; TAB counts as one unless {@code tabAllowed}. */
    public static int find(String s, boolean tabAllowed) {
        if (s == null) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 || c == 0x7f) && !(c == '\t' && tabAllowed)) {
                return i;
            }
        }
        return -1;
    }

    /** "U+0000": how error messages name the character without echoing it. */
    public static String name(char c) {
        return String.format("U+%04X", (int) c);
    }

    /**
     * Text bound for the operation log: every control character but TAB, LF and CR (provider messages have lines) written
     * as a visible escape (backslash, 'u', four hex digits), so the row is stored and shows what was sent.
     */
    public static String escape(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n' && c != '\r';
            if (control && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (control) {
                b.append(String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
