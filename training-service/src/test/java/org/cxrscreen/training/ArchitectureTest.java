package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.cxrscreen.training.ml.Architecture;
import org.cxrscreen.training.ml.Network;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parameter counts (torchvision's, for the ResNets) and output shapes of every architecture. */
class ArchitectureTest {

    @ParameterizedTest
    @CsvSource({
        "compact-cnn-s, 3, 98307",
        "compact-cnn, 3, 13293443",
        "resnet-18, 3, 11178051",
        "resnet-18, 1000, 11689512",
        "resnet-34, 3, 21286211",
        "resnet-34, 1000, 21797672"})
    void parameterCountsAreThoseOfTheReferenceNetworks(String id, int classes, long parameters) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Network network = new Network(Architecture.byId(id).layers(classes));
            network.block().initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));

            assertThat(network.parameterCount()).isEqualTo(parameters);
            Shape out = network.block().forward(new ParameterStore(manager, false),
                    new NDList(manager.zeros(new Shape(2, 3, 224, 224))), false).singletonOrThrow().getShape();
            assertThat(out).isEqualTo(new Shape(2, classes));
        }
    }
}
