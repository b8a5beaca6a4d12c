package io.agcgateway.oauth;

import io.agcgateway.support.FlowDriver;
import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

class DeadWebhookTargetTest {
    @Test
    void deadWebhookTarget_neverBlocksOrFailsTheFlow_andLogsAFailedDelivery() {
        int dead = TestGateway.freePort();
        try (Gateway gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2),
                "gateway.webhook.url", "http://127.0.0.1:" + dead + "/hook", "gateway.webhook.backoff", "2s", "gateway.webhook.retries", "2"))) {
            FlowDriver flow = new FlowDriver(gw.baseUrl(), gw.secretKey());
            assertThat(flow.run("agc-sandbox", flow.session("dead-hook"), "acme").status()).isEqualTo(200);
            long answeredAt = System.currentTimeMillis();
            flow.onlyConnection("dead-hook");
            JdbcTemplate db = new JdbcTemplate(gw.dataSource());
            long end = System.currentTimeMillis() + 15_000;
            Integer failed = 0;
            while (failed == 0 && System.currentTimeMillis() < end) {
                gw.bean("operationLog", OperationLog.class).flush(1000);
                failed = db.queryForObject("SELECT COUNT(*) FROM operations WHERE op_type = 'webhook' AND status = 'failed' AND attempts = 3",
                        Integer.class);
            }
            assertThat(failed).isEqualTo(1);
            // ordering, not a stopwatch: the browser had its page before the retries (2 s + 4 s backoff) gave up
            Long deliveryEnded = db.queryForObject("SELECT ended_at FROM operations WHERE op_type = 'webhook'", Long.class);
            assertThat(answeredAt).isLessThan(deliveryEnded);
        }
    }
}
