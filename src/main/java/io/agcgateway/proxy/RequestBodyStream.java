package io.agcgateway.proxy;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The caller's request body as a blocking stream for the upstream client, read on a worker thread while Vert.x
 * receives it on the event loop. The api-proxy route leaves the body unread (platform-http useBodyHandler=false),
 * so every content type — JSON, forms, multipart, binary — goes upstream byte for byte, and a large upload is a pipe:
 * chunks are asked of Vert.x (fetch) so that at most {@code window} wait in heap; the rest waits in the caller's
 * socket (TCP back-pressure), never in heap or on disk. Bodies without a Content-Length are the exception: see
 * {@code spooling}.
 * <p>
 * The handlers are attached by a Vert.x route in front of the Camel consumer ({@link #attach}), on the event loop
 * as the request arrives: attached later, from the worker, Vert.x may already have delivered (and dropped) the
 * chunks of a small body.
 */
final class RequestBodyStream extends InputStream {
    private static final Object END = new Object();
    private static final int SPILL_AT = 256 * 1024;
    private static final Map<HttpServerRequest, RequestBodyStream> OPEN = new ConcurrentHashMap<>();

    private final HttpServerRequest request;
    private final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final int window;
    /** The request's event loop: fetch/resume are sent there (an HTTP/2 stream only reacts to them there). */
    private final Context context;
    private volatile long idleTimeoutMs = 60_000;
    private Buffer current;
    private int pos;
    private volatile boolean ended;
    private boolean started;
    /** Chunks asked of Vert.x (fetch) and not delivered yet. */
    private final AtomicInteger asked = new AtomicInteger();

    /**
     * Bodies without a Content-Length are spooled, then sent with one. Chunked: httpclient5 closes a failed chunked
     * entity with its last-chunk marker, so a caller that went away mid-upload would hand the provider a cut body
     * that looks complete (ProxyRouteTest.callerGoneMidUpload...). HTTP/2 (h2c): Vert.x stalls an upgraded stream
     * that is read on demand.
     */
    private final boolean spooling;
    private final java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
    private Path spillFile;
    private OutputStream spill;
    private InputStream spooled;
    private long spooledBytes;

    private RequestBodyStream(HttpServerRequest request, int window) {
        this.request = request;
        this.window = window;
        this.context = Vertx.currentContext();
        this.spooling = request.version() == HttpVersion.HTTP_2 || request.getHeader("Content-Length") == null;
        request.handler(b -> {
            if (spooling) {
                spool(b);
            } else {
                asked.decrementAndGet();
                chunks.add(b);
            }
        });
        request.exceptionHandler(chunks::add);
        request.endHandler(v -> {
            if (spill != null) {
                try {
                    spill.close();
                } catch (IOException e) {
                    chunks.add(e);
                }
            }
            chunks.add(END);
        });
    }

    /** Up to SPILL_AT bytes stay in memory, the rest goes to a temp file (deleted on close). Runs on the event loop. */
    private void spool(Buffer b) {
        try {
            if (spill == null && head.size() + b.length() <= SPILL_AT) {
                head.write(b.getBytes());
                return;
            }
            if (spill == null) {
                spillFile = Files.createTempFile("agc-proxy-body", ".tmp");
                spill = new java.io.BufferedOutputStream(Files.newOutputStream(spillFile), 65536);
            }
            spill.write(b.getBytes());
        } catch (IOException e) {
            chunks.add(e);
        }
    }

    /** Starts collecting the body of a request that has one; {@link #close} (at the latest when the answer ends) frees it. */
    static RequestBodyStream attach(HttpServerRequest request, int window) {
        RequestBodyStream s = new RequestBodyStream(request, window);
        OPEN.put(request, s);
        return s;
    }

    /** The body stream attached to this request, or null when it has no body. */
    static RequestBodyStream of(HttpServerRequest request, long idleTimeoutMs) {
        RequestBodyStream s = OPEN.get(request);
        if (s != null) {
            s.idleTimeoutMs = idleTimeoutMs;
        }
        return s;
    }

    static int open() {
        return OPEN.size();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (spooling) {
            if (spooled == null) {
                awaitSpooled();
            }
            return spooled.read(b, off, len);
        }
        while (current == null || pos >= current.length()) {
            if (ended) {
                return -1;
            }
            next();
        }
        int n = Math.min(len, current.length() - pos);
        current.getBytes(pos, pos + n, b, off);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.length() - pos;
    }

    /** Spooled bodies only: waits for the whole body and returns its length. */
    long spooledLength() throws IOException {
        if (!spooling) {
            throw new IllegalStateException("only a body without Content-Length is spooled");
        }
        if (spooled == null) {
            awaitSpooled();
        }
        return spooledBytes;
    }

    boolean spooling() {
        return spooling;
    }

    private void awaitSpooled() throws IOException {
        onContext(request::resume);
        Object o = poll();
        if (o instanceof Throwable t) {
            ended = true;
            throw t instanceof IOException io ? io : new IOException("the caller's body broke off", t);
        }
        ended = true;
        InputStream memory = new java.io.ByteArrayInputStream(head.toByteArray());
        spooledBytes = head.size() + (spillFile == null ? 0 : Files.size(spillFile));
        spooled = spillFile == null ? memory : new java.io.SequenceInputStream(memory, Files.newInputStream(spillFile));
    }

    private Object poll() throws IOException {
        Object o;
        try {
            o = chunks.poll(idleTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the caller's body");
        }
        if (o == null) {
            throw new IOException("the caller sent no body data for " + idleTimeoutMs + " ms");
        }
        return o;
    }

    private void onContext(Runnable r) {
        if (context != null) {
            context.runOnContext(v -> r.run());
        } else {
            r.run();
        }
    }

    private void next() throws IOException {
        if (!started) {
            // platform-http paused the request (demand 0) after it was attached: what was asked before is void
            started = true;
            asked.set(0);
        }
        int want = window - chunks.size() - Math.max(0, asked.get());
        if (want > 0) {
            asked.addAndGet(want);
            // demand, not pause/resume: an HTTP/2 stream returns flow-control credit only for chunks it delivered,
            // and only from its event loop
            onContext(() -> request.fetch(want));
        }
        Object o = poll();
        if (o == END) {
            ended = true;
            current = null;
            return;
        }
        if (o instanceof Throwable t) {
            ended = true;
            throw t instanceof IOException io ? io : new IOException("the caller's body broke off", t);
        }
        current = (Buffer) o;
        pos = 0;
    }

    /** Drops what is left unread, so the connection can serve the caller's next request. */
    @Override
    public void close() {
        // not marking the stream ended: a reader still waiting must fail (below), never see a clean end of a cut body
        if (OPEN.remove(request) != null && !ended) {
            Runnable drop = () -> {
                try {
                    request.handler(null);
                    request.resume();
                } catch (IllegalStateException alreadyRead) {
                    // the request has ended meanwhile: nothing left to drop
                }
            };
            onContext(drop);
        }
        chunks.clear();
        // wakes a reader still waiting for chunks (the caller went away mid-upload) instead of holding its worker
        // until the idle timeout
        chunks.add(new IOException("the call ended before the caller's body was read"));
        current = null;
        if (spooled != null) {
            try {
                spooled.close();
            } catch (IOException ignored) {
                // the temp file is deleted below all the same
            }
        }
        if (spillFile != null) {
            Path f = spillFile;
            onContext(() -> {
                try {
                    if (spill != null) {
                        spill.close();
                    }
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    f.toFile().deleteOnExit();
                }
            });
        }
    }
}
