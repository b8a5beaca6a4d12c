package io.agcgateway.auth;

import io.agcgateway.http.GatewayException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The read-only operator check: the secret key, or the operator key ({@code gateway.operator-key}) when one is set.
 * It guards what an operator watches and nothing that reads or changes tokens, connections or integrations: Jolokia
 * (read-only by jolokia-access.xml) and the Health page's numbers. A wrong key gets the secret key's 401 and message.
 */
public final class OperatorKeyAuth implements Processor {
    private final ApiKeyAuth secretKey;
    private final ApiKeyAuth operatorKey;

    /** @param operatorKey the operator key, or null/empty when none is set (then only the secret key opens) */
    public OperatorKeyAuth(ApiKeyAuth secretKey, String operatorKey) {
        this.secretKey = secretKey;
        this.operatorKey = operatorKey == null || operatorKey.isEmpty() ? null : new ApiKeyAuth(operatorKey);
    }

    @Override
    public void process(Exchange exchange) {
        check(exchange.getMessage().getHeader("Authorization", String.class));
    }

    public void check(String header) {
        try {
            secretKey.check(header);
        } catch (GatewayException notTheSecretKey) {
            if (operatorKey == null) {
                throw notTheSecretKey;
            }
            try {
                operatorKey.check(header);
            } catch (GatewayException notTheOperatorKey) {
                throw notTheSecretKey;
            }
        }
    }
}
