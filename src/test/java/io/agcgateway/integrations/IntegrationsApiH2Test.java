package io.agcgateway.integrations;

import io.agcgateway.support.TestGateway;

class IntegrationsApiH2Test extends IntegrationsApiContract {
    @Override
    TestGateway.Store store() {
        return TestGateway.Store.H2;
    }
}
