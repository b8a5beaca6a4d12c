package io.agcgateway.integrations;

import io.agcgateway.support.TestGateway;

class IntegrationsApiPostgresTest extends IntegrationsApiContract {
    @Override
    TestGateway.Store store() {
        return TestGateway.Store.POSTGRES;
    }
}
