package io.agcgateway.refresh;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agcgateway.Gateway;
import io.agcgateway.config.StartupException;
import io.agcgateway.support.TestGateway;
import org.junit.jupiter.api.Test;

/** A bad sweep setting stops startup with one line naming it (docs/ARCHITECTURE.md "Configuration"). */
class SweepSettingsTest {
    private static void assertStartupFails(String key, String value, String envName) {
        assertThatThrownBy(() -> Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2), key, value)).close())
                .isInstanceOf(StartupException.class)
                .hasMessageContaining(key)
                .hasMessageContaining(envName);
    }

    @Test
    void badSweepCron_stopsStartup() {
        assertStartupFails("gateway.refresh.sweep-cron", "every minute", "GATEWAY_REFRESH_SWEEP_CRON");
    }

    @Test
    void zeroSweepParallelism_stopsStartup() {
        assertStartupFails("gateway.refresh.sweep-parallelism", "0", "GATEWAY_REFRESH_SWEEP_PARALLELISM");
    }

    @Test
    void badKeepAliveAge_stopsStartup() {
        assertStartupFails("gateway.refresh.keep-alive-age", "a week", "GATEWAY_REFRESH_KEEP_ALIVE_AGE");
    }

    @Test
    void clusterWithoutPostgres_stopsStartup() {
        assertStartupFails("gateway.cluster", "true", "GATEWAY_CLUSTER");
    }
}
