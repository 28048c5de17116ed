package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cxrscreen.training.ml.Architecture;
import org.cxrscreen.training.ml.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting weights given as an .npz in torchvision's state_dict names. */
class InitWeightsTest {

    @TempDir
    Path dir;

    @Test
    void arraysWithMatchingNamesAndShapesAreLoadedAndTheRestKept() throws Exception {
        Path npz = dir.resolve("weights.npz");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray conv = manager.full(new Shape(64, 3, 7, 7), 0.5f);
            conv.setName("conv1.weight");
            NDArray variance = manager.full(new Shape(64), 2f);
            variance.setName("bn1.running_var");
            NDArray head = manager.ones(new Shape(1000, 512));
            head.setName("fc.weight");
            try (OutputStream out = Files.newOutputStream(npz)) {
                new NDList(conv, variance, head).encode(out, NDList.Encoding.NPZ);
            }

            Network network = new Network(Architecture.RESNET_18.layers(3));
            network.block().initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            String said = network.importTorchWeights(npz, manager);

            assertThat(said).contains("2 arrays loaded").contains("fc.weight (shape (1000, 512), needs (3, 512))");
            var parameters = network.block().getParameters();
            NDArray loadedConv = parameters.get(0).getValue().getArray();
            assertThat(loadedConv.getShape()).isEqualTo(new Shape(64, 3, 7, 7));
            assertThat(loadedConv.toFloatArray()).containsOnly(0.5f);
            assertThat(parameters.valueAt(4).getArray().toFloatArray()).containsOnly(2f);
            assertThat(parameters.valueAt(4).getName()).isEqualTo("runningVar");
        }
    }

    @Test
    void aFileWithNothingUsableIsRefusedWithTheExpectedNames() throws Exception {
        Path npz = dir.resolve("other.npz");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray unrelated = manager.ones(new Shape(2, 2));
            unrelated.setName("encoder.layer.0.weight");
            try (OutputStream out = Files.newOutputStream(npz)) {
                new NDList(unrelated).encode(out, NDList.Encoding.NPZ);
            }
            Network network = new Network(Architecture.COMPACT_CNN_S.layers(3));
            network.block().initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));

            assertThatThrownBy(() -> network.importTorchWeights(npz, manager))
                    .hasMessageContaining("no array of").hasMessageContaining("torchvision's state_dict names");
            assertThatThrownBy(() -> network.importTorchWeights(dir.resolve("missing.npz"), manager))
                    .hasMessageContaining("cannot read weights");
        }
    }
}
