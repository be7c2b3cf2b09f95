package io.divastream.model.net.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Copies tensors named like a PyTorch {@code state_dict} into the parameters of an initialised
 * network that knows each parameter under such a name. All or nothing: every name must be present
 * with its exact shape, names the network ignores (a classifier, BatchNorm's
 * {@code num_batches_tracked}) may be present, any other name is an error. Package-private.
 */
final class NamedWeights {

    private NamedWeights() {}

    /**
     * Checks, then copies.
     *
     * @param targets state_dict name to parameter, every one initialised
     * @param tensors state_dict name to tensor
     * @param ignored names that may be present and are skipped
     * @param what what the tensors must be, for messages ({@code torchvision ResNet-50})
     * @param network the network's name, for messages ({@code ResNet-50})
     * @throws IllegalArgumentException naming the missing, unknown or misshapen tensors
     */
    static void load(
            Map<String, Parameter> targets,
            Map<String, NDArray> tensors,
            Predicate<String> ignored,
            String what,
            String network) {
        TreeSet<String> missing = new TreeSet<>(targets.keySet());
        missing.removeAll(tensors.keySet());
        TreeSet<String> unknown = new TreeSet<>();
        for (String name : tensors.keySet()) {
            if (!targets.containsKey(name) && !ignored.test(name)) {
                unknown.add(name);
            }
        }
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            throw new IllegalArgumentException("not " + what + " weights: "
                    + (missing.isEmpty() ? "" : missing.size() + " missing " + abbreviate(missing))
                    + (missing.isEmpty() || unknown.isEmpty() ? "" : ", ")
                    + (unknown.isEmpty() ? "" : unknown.size() + " unknown " + abbreviate(unknown)));
        }
        for (Map.Entry<String, Parameter> e : targets.entrySet()) {
            Shape want = e.getValue().getArray().getShape();
            Shape got = tensors.get(e.getKey()).getShape();
            if (!want.equals(got)) {
                throw new IllegalArgumentException(
                        "tensor " + e.getKey() + " has shape " + got + ", " + network + " needs " + want);
            }
        }
        for (Map.Entry<String, Parameter> e : targets.entrySet()) {
            NDArray target = e.getValue().getArray();
            tensors.get(e.getKey()).toType(target.getDataType(), false).copyTo(target);
        }
    }

    private static String abbreviate(TreeSet<String> names) {
        List<String> list = new ArrayList<>(names);
        return list.size() <= 5 ? list.toString() : list.subList(0, 5) + "...";
    }
}
