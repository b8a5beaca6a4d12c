package io.agcgateway.health;

import io.agcgateway.support.TestGateway;

class HealthApiPostgresTest extends HealthApiContract {
    @Override
    TestGateway.Store store() {
        return TestGateway.Store.POSTGRES;
    }
}
