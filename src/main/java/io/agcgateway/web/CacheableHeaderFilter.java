package io.agcgateway.web;

import org.apache.camel.support.DefaultHeaderFilterStrategy;
import org.apache.camel.support.http.HttpUtil;

/**
 * platform-http's default filter drops {@code Cache-Control} from responses (it treats it as a hop
 * header), so static files could never say how long to keep them. Same filter, minus that one header;
 * request headers named Camel* are dropped so a caller cannot steer the exchange.
 */
public final class CacheableHeaderFilter extends DefaultHeaderFilterStrategy {
    public CacheableHeaderFilter() {
        HttpUtil.addCommonFilters(getOutFilter());
        getOutFilter().remove("cache-control");
        setLowerCase(true);
        setOutFilterStartsWith(CAMEL_FILTER_STARTS_WITH);
        setInFilterStartsWith(CAMEL_FILTER_STARTS_WITH);
    }
}
