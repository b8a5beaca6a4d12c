package io.agcgateway.oauth;

import io.agcgateway.http.GatewayException;

/**
 * A failed browser step of the OAuth flow: answered with an HTML page (status 400 like Nango's error page) that
 * also posts {@code nango_oauth_callback_error} with {@link #errorType} to the opener.
 */
public final class OAuthFailure extends RuntimeException {
    private final int status;
    private final String errorType;
    private final String webhookType;

    /** @param webhookType the auth webhook's error.type (creation failure), or null when no webhook is due */
    public OAuthFailure(int status, String errorType, String message, String webhookType) {
        super(message, null, false, false);
        this.status = status;
        this.errorType = errorType;
        this.webhookType = webhookType;
    }

    /** The browser's own URL is at fault (see RequestParams), not its session: the HTML page, not the API's JSON. */
    static OAuthFailure badInput(GatewayException e) {
        return new OAuthFailure(e.status(), e.code(), e.getMessage(), null);
    }

    public int status() {
        return status;
    }

    public String errorType() {
        return errorType;
    }

    public String webhookType() {
        return webhookType;
    }
}
