package io.agcgateway.web;

import org.apache.camel.main.Main;

/** Binds the dashboard's beans (routes/dashboard.camel.yaml). */
public final class Web {
    private Web() {
    }

    public static void install(Main main) {
        main.bind("staticFiles", new StaticFiles());
        main.bind("dashboardHeaderFilter", new CacheableHeaderFilter());
    }
}
