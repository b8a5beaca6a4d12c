package io.agcgateway.proxy;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.engine.DefaultUnitOfWork;
import org.apache.camel.impl.engine.DefaultUnitOfWorkFactory;
import org.apache.camel.spi.UnitOfWork;
import org.apache.camel.spi.UnitOfWorkFactory;

/**
 * Camel's unit of work, without its MDC for the proxy route ({@code gateway.proxy.mdc-logging=false}, the default).
 * With {@code camel.main.use-mdc-logging} on, Camel's MDC unit of work puts, saves and restores six MDC keys around
 * every processor of a route: on api-proxy's ten steps that was 3% of a proxied call's CPU and 10% of what it allocates
 * (async-profiler, bench/proxy.sh scenario a). Every other route keeps the MDC; the proxy's own log lines name the
 * route and the exchange in their text instead.
 */
public final class ProxyUnitOfWorkFactory implements UnitOfWorkFactory {
    private final CamelContext context;
    private final String routeId;
    private final DefaultUnitOfWorkFactory others = new DefaultUnitOfWorkFactory();

    public ProxyUnitOfWorkFactory(CamelContext context, String routeId) {
        this.context = context;
        this.routeId = routeId;
    }

    /** Camel calls this once its properties are set (camel.main.use-mdc-logging among them), before any route runs. */
    @Override
    public void afterPropertiesConfigured(CamelContext camelContext) {
        others.afterPropertiesConfigured(camelContext);
    }

    @Override
    public UnitOfWork createUnitOfWork(Exchange exchange) {
        if (routeId.equals(exchange.getFromRouteId())) {
            return new DefaultUnitOfWork(exchange, context.getInflightRepository(), context.isAllowUseOriginalMessage(),
                    context.isUseBreadcrumb());
        }
        return others.createUnitOfWork(exchange);
    }
}
