package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.support.TestGateway;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.UnitOfWorkFactory;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * gateway.proxy.mdc-logging=false (the default): api-proxy runs without Camel's MDC unit of work (3% of a proxied call's
 * CPU, 10% of its allocations), every other route keeps camel.routeId and camel.exchangeId in its log lines.
 */
class ProxyUnitOfWorkFactoryTest {

    @Test
    void theProxyRouteRunsWithoutMdc_everyOtherRouteKeepsIt() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(2);
        try (CamelContext ctx = new DefaultCamelContext()) {
            ctx.setUseMDCLogging(true);
            ctx.getCamelContextExtension().addContextPlugin(UnitOfWorkFactory.class, new ProxyUnitOfWorkFactory(ctx, "api-proxy"));
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // consumers create the exchanges, as platform-http's does (a producer template's carry no route yet)
                    from("timer:proxy?repeatCount=1").routeId("api-proxy")
                            .process(e -> seen.put("proxy", String.valueOf(MDC.get("camel.exchangeId"))))
                            .process(e -> seen.put("proxy-uow", e.getUnitOfWork().getClass().getSimpleName()))
                            .process(e -> done.countDown());
                    from("timer:api?repeatCount=1").routeId("api-integrations")
                            .process(e -> seen.put("api", String.valueOf(MDC.get("camel.exchangeId")) + " " + MDC.get("camel.routeId")))
                            .process(e -> seen.put("api-expected", e.getExchangeId() + " api-integrations"))
                            .process(e -> done.countDown());
                }
            });
            ctx.start();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(seen.get("proxy")).isEqualTo("null");
        assertThat(seen.get("proxy-uow")).isEqualTo("DefaultUnitOfWork");
        assertThat(seen.get("api")).isEqualTo(seen.get("api-expected"));
    }

    @Test
    void theGatewayInstallsIt_unlessTheProxyAsksForMdc() {
        Map<String, String> s = TestGateway.settings(TestGateway.Store.H2);
        Gateway gw = Gateway.start(s);
        try {
            assertThat(gw.context().getCamelContextExtension().getContextPlugin(UnitOfWorkFactory.class))
                    .isInstanceOf(ProxyUnitOfWorkFactory.class);
        } finally {
            gw.close();
        }
        s = TestGateway.settings(TestGateway.Store.H2);
        s.put("gateway.proxy.mdc-logging", "true");
        gw = Gateway.start(s);
        try {
            assertThat(gw.context().getCamelContextExtension().getContextPlugin(UnitOfWorkFactory.class))
                    .isNotInstanceOf(ProxyUnitOfWorkFactory.class);
        } finally {
            gw.close();
        }
    }
}
