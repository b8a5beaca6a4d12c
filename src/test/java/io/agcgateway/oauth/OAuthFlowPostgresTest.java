package io.agcgateway.oauth;

import io.agcgateway.support.TestGateway;

class OAuthFlowPostgresTest extends OAuthFlowContract {
    @Override
    TestGateway.Store store() {
        return TestGateway.Store.POSTGRES;
    }
}
