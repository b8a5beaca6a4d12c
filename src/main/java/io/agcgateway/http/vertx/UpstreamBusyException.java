package io.agcgateway.http.vertx;

/** No pooled connection to the upstream host became free in time (pool and wait queue full). */
public final class UpstreamBusyException extends RuntimeException {
    public UpstreamBusyException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
