package io.agcgateway.http;

import java.util.regex.Pattern;

/** Removes secrets from text bound for logs, operations and errors (docs/ARCHITECTURE.md "Secrets"). */
public final class Redact {
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
    private static final String[] SECRET_PARAM_NAMES = {"access_token", "refresh_token", "client_secret", "code", "code_verifier",
        "id_token", "token", "session_token", "connect_session_token", "password"};
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)((?:" + String.join("|", SECRET_PARAM_NAMES) + ")=)[^&\\s\"']+");
    private static final Pattern SECRET_JSON = Pattern.compile(
            "(?i)(\"(?:access_token|refresh_token|client_secret|code_verifier|id_token|token|secret|password)\"\\s*:\\s*\")[^\"]*\"");

    private Redact() {
    }

    public static String text(String s) {
        if (s == null) {
            return null;
        }
        // cheap character checks first: most text (proxy URLs, log lines) has nothing a pattern could match
        String out = containsIgnoreCase(s, "bearer") ? BEARER.matcher(s).replaceAll("$1REDACTED") : s;
        if (hasSecretParam(out)) {
            out = SECRET_PARAM.matcher(out).replaceAll("$1REDACTED");
        }
        return out.indexOf('"') >= 0 ? SECRET_JSON.matcher(out).replaceAll("$1REDACTED\"") : out;
    }

    /** Whether some '=' follows a secret parameter's name: the pattern's own test, without the regex (every proxied URL). */
    private static boolean hasSecretParam(String s) {
        for (int eq = s.indexOf('='); eq >= 0; eq = s.indexOf('=', eq + 1)) {
            for (String name : SECRET_PARAM_NAMES) {
                if (eq >= name.length() && s.regionMatches(true, eq - name.length(), name, 0, name.length())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean containsIgnoreCase(String s, String lowerNeedle) {
        char first = lowerNeedle.charAt(0);
        for (int i = 0, last = s.length() - lowerNeedle.length(); i <= last; i++) {
            char c = s.charAt(i);
            if ((c == first || Character.toLowerCase(c) == first) && s.regionMatches(true, i, lowerNeedle, 0, lowerNeedle.length())) {
                return true;
            }
        }
        return false;
    }
}
