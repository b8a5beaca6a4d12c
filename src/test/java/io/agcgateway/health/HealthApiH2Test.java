package io.agcgateway.health;

import io.agcgateway.support.TestGateway;

class HealthApiH2Test extends HealthApiContract {
    @Override
    TestGateway.Store store() {
        return TestGateway.Store.H2;
    }
}
