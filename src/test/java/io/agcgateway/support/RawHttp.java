package io.agcgateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** One request written byte for byte on its own connection, for inputs a client library would clean up or refuse. */
public final class RawHttp {
    private RawHttp() {
    }

    /**
     * Writes {@code request} and {@code body} to 127.0.0.1:{@code port} and reads until the server closes; the answer as
     * ISO-8859-1 text ("" when it closed without one). A reset after the answer (a refusal's lingering close) keeps what
     * arrived.
     */
    public static String exchange(int port, byte[] request, byte[] body, int timeoutMs) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(timeoutMs);
            s.getOutputStream().write(request);
            if (body != null) {
                s.getOutputStream().write(body);
            }
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (SocketException reset) {
                // what arrived before the reset is the answer
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
