package io.agcgateway.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The gateway's version (from the build) and the User-Agent it sends upstream, to token endpoints and to webhooks. */
public final class Version {
    private static final String VERSION = read();
    /** What every outbound request of the gateway says it is: {@code agc-gateway/<version>}. */
    public static final String USER_AGENT = "agc-gateway/" + VERSION;

    private Version() {
    }

    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("/agc-gateway.version")) {
            String v = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            return v.isEmpty() || v.startsWith("$") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}
