package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.http.HttpReply;
import io.agcgateway.oauth.OAuthCallback;
import io.agcgateway.support.TestGateway;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bean routes/ and config/ name resolves in a started gateway (sandbox on: routes/sandbox/ too), under its
 * class name in lowerCamel or under a name GatewayBeans.FIXED_NAMES explains.
 */
class RouteBeanRefsTest {
    private static Gateway gw;

    @BeforeAll
    static void boot() {
        gw = TestGateway.start(TestGateway.Store.H2);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static List<Path> routeFiles() throws Exception {
        return RouteBeanRefs.routeFiles();
    }

    /** The class's simple name with its leading word lower-cased: HttpReply → httpReply, OAuthCallback → oauthCallback. */
    static String lowerCamel(Class<?> type) {
        String n = type.getSimpleName();
        int word = 1;
        while (word < n.length() && !(Character.isUpperCase(n.charAt(word)) && Character.isLowerCase(n.charAt(word - 1)))) {
            word++;
        }
        return n.substring(0, word).toLowerCase(java.util.Locale.ROOT) + n.substring(word);
    }

    private static void assertBoundAndNamedAfterClass(String where, Set<String> names) {
        for (String name : names) {
            Object bean = gw.context().getRegistry().lookupByName(name);
            assertThat(bean).as(where + " names bean " + name + ", which the gateway does not bind").isNotNull();
            if (!GatewayBeans.FIXED_NAMES.containsKey(name)) {
                assertThat(name).as(where + ": bean " + name + " is a " + bean.getClass().getSimpleName()
                        + ": name it after its class or list it in GatewayBeans.FIXED_NAMES").isEqualTo(lowerCamel(bean.getClass()));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("routeFiles")
    void everyBeanARouteNames_isBoundUnderItsClassName(Path file) throws Exception {
        Set<String> names = RouteBeanRefs.beans(file);
        RouteBeanRefs.schemes(file).stream().filter(s -> gw.context().getRegistry().lookupByName(s) != null).forEach(names::add);
        assertBoundAndNamedAfterClass(file.toString(), names);
    }

    @Test
    void everyBeanTheConfigNames_isBoundUnderItsClassName() throws Exception {
        Set<String> names = RouteBeanRefs.beansInProperties(Path.of("config/application.properties"));
        assertThat(names).as("the platform-http header filter").contains("cacheableHeaderFilter");
        assertBoundAndNamedAfterClass("config/application.properties", names);
    }

    @Test
    void everyFixedName_isBound() throws Exception {
        for (String name : GatewayBeans.FIXED_NAMES.keySet()) {
            assertThat(gw.context().getRegistry().lookupByName(name)).as(name).isNotNull();
        }
    }

    @Test
    void lowerCamel_lowersTheLeadingWord() {
        assertThat(lowerCamel(HttpReply.class)).isEqualTo("httpReply");
        assertThat(lowerCamel(OAuthCallback.class)).isEqualTo("oauthCallback");
        assertThat(lowerCamel(Gateway.class)).isEqualTo("gateway");
    }

    @Test
    void collector_findsEveryKindOfReference() throws Exception {
        assertThat(RouteBeanRefs.beans(Path.of("routes/api-proxy.camel.yaml")))
                .contains("apiKeyAuth", "proxyPrepare", "eventLoopHttpEngine");
        assertThat(RouteBeanRefs.beans(Path.of("routes/token-refresh.camel.yaml"))).contains("refreshSweep", "sweepPool");
        assertThat(RouteBeanRefs.schemes(Path.of("routes/api-proxy.camel.yaml"))).contains("platform-http", "upstream");
    }
}
