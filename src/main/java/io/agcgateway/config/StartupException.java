package io.agcgateway.config;

/** A startup failure that the operator can fix: its message is the one line printed before exiting. */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
