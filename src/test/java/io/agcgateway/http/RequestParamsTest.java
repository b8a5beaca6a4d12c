package io.agcgateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class RequestParamsTest {

    private static Exchange request(String query, String... headers) {
        Exchange ex = new DefaultExchange(new DefaultCamelContext());
        ex.getMessage().setHeader(Exchange.HTTP_QUERY, query);
        for (int i = 0; i < headers.length; i += 2) {
            ex.getMessage().setHeader(headers[i], headers[i + 1]);
        }
        return ex;
    }

    private static GatewayException refused(Runnable r) {
        try {
            r.run();
        } catch (GatewayException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void path_returnsTheDecodedParam() {
        assertThat(RequestParams.path(request(null, "connectionId", "conn 1/é"), "connectionId")).isEqualTo("conn 1/é");
        assertThat(RequestParams.path(request(null), "connectionId")).isNull();
    }

    @Test
    void path_withNulOrOtherControl_isInvalidUriParams() {
        for (String bad : new String[] {"x\u0000y", "x\ty", "x\ny", "\u007f"}) {
            GatewayException e = refused(() -> RequestParams.path(request(null, "connectionId", bad), "connectionId"));
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("invalid_uri_params");
            assertThat(e.getMessage()).contains("'connectionId'").contains("U+00");
            assertThat(e.errors().get(0).get("path")).isEqualTo(java.util.List.of("connectionId"));
        }
    }

    @Test
    void query_decodes_firstValueWins() {
        Map<String, String> q = RequestParams.query(request("a=1&b=x%20y+z&a=2&flag&params%5Bsubdomain%5D=acme"));
        assertThat(q).containsExactly(Map.entry("a", "1"), Map.entry("b", "x y z"), Map.entry("flag", ""),
                Map.entry("params[subdomain]", "acme"));
        assertThat(RequestParams.query(request(null))).isEmpty();
    }

    @Test
    void query_withControlInValueOrName_isInvalidQueryParams() {
        for (String bad : new String[] {"connectionId=a%00b", "search=a%09b", "x=%7F", "a%00=1", "x=%0d%0aSet-Cookie:1"}) {
            GatewayException e = refused(() -> RequestParams.query(request(bad)));
            assertThat(e.status()).as(bad).isEqualTo(400);
            assertThat(e.code()).as(bad).isEqualTo("invalid_query_params");
            assertThat(e.getMessage()).as(bad).contains("control character").doesNotContain("\u0000");
        }
    }

    @Test
    void query_withMalformedPercentEncoding_isInvalidQueryParams() {
        assertThatThrownBy(() -> RequestParams.query(request("a=%ZZ"))).isInstanceOf(GatewayException.class)
                .hasMessageContaining("malformed percent-encoding");
    }
}
