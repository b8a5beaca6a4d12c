package io.agcgateway.publisher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.http.Json;
import org.junit.jupiter.api.Test;

class WsMessagesTest {
    @Test
    void ack_carriesTheClientId() {
        JsonNode m = Json.read(WsMessages.ack("0b6f7d0e-8a1c-4b5e-9f3a-2d4c6e8f0a1b"));
        assertThat(m.path("message_type").asText()).isEqualTo("connection_ack");
        assertThat(m.path("ws_client_id").asText()).isEqualTo("0b6f7d0e-8a1c-4b5e-9f3a-2d4c6e8f0a1b");
    }

    @Test
    void success_hasNangosFieldsAndIsNotPending() {
        JsonNode m = Json.read(WsMessages.success("agc-jira", "user-42"));
        assertThat(m.path("message_type").asText()).isEqualTo("success");
        assertThat(m.path("provider_config_key").asText()).isEqualTo("agc-jira");
        assertThat(m.path("connection_id").asText()).isEqualTo("user-42");
        assertThat(m.path("is_pending").isBoolean()).isTrue();
        assertThat(m.path("is_pending").asBoolean()).isFalse();
    }

    @Test
    void error_keepsNangoTypesAndDescription() {
        JsonNode m = Json.read(WsMessages.error("agc-jira", "user-42", "callback_err", "Provider error: access_denied"));
        assertThat(m.path("message_type").asText()).isEqualTo("error");
        assertThat(m.path("error_type").asText()).isEqualTo("callback_err");
        assertThat(m.path("error_desc").asText()).isEqualTo("Provider error: access_denied");
    }

    @Test
    void error_withOurOwnCodes_usesNangosNames() {
        assertThat(WsMessages.nangoErrorType("invalid_state")).isEqualTo("state_err");
        assertThat(WsMessages.nangoErrorType("token_exchange_failed")).isEqualTo("token_err");
        assertThat(WsMessages.nangoErrorType("unable_to_parse_token_response")).isEqualTo("token_err");
        assertThat(WsMessages.nangoErrorType(null)).isEqualTo("unknown_err");
        assertThat(WsMessages.nangoErrorType("url_param_err")).isEqualTo("url_param_err");
    }

    @Test
    void clientId_ignoresValuesWeCouldNotHaveIssued() {
        assertThat(WsMessages.clientId("0b6f7d0e-8a1c-4b5e-9f3a-2d4c6e8f0a1b")).isEqualTo("0b6f7d0e-8a1c-4b5e-9f3a-2d4c6e8f0a1b");
        assertThat(WsMessages.clientId(null)).isNull();
        assertThat(WsMessages.clientId("")).isNull();
        assertThat(WsMessages.clientId("a b")).isNull();
        assertThat(WsMessages.clientId("x".repeat(65))).isNull();
    }
}
