// What a TF1 training graph (a checkpoint's .meta, a SavedModel without
// signatures) computes for inference.
//
//   drop_training_nodes(nodes);
//   std::vector<std::string> outputs = prediction_outputs(nodes);
//
// Such a graph holds the model, its loss, the loss's gradients (the
// "gradients" name scope), optimizer updates, variable initialisers and the
// Saver's save/restore ops. Inference wants the model's prediction: the loss
// compares it with a label placeholder, and feeding labels to run a model
// makes no sense.
#pragma once

#include <string>
#include <vector>

#include "leanrt/import/tf/proto/tf_graph.pb.h"

namespace leanrt::importer {

// Removes gradient, optimizer, assignment, save/restore and init nodes, the
// nodes that read them or run after them (control edges), and the nodes only
// they read.
void drop_training_nodes(std::vector<tfproto::NodeDef>& nodes);

// The tensors nothing else reads, except that a loss (a tensor TensorFlow
// took gradients of, seen from the "gradients/<op>_grad" scope, computed
// before drop_training_nodes ran) is replaced by the prediction it compares
// with its label: walking down from the loss through tensors that depend on
// variables, the first node with an input that depends on placeholders but
// on no variable (the label) gives its variable-dependent inputs.
std::vector<std::string> prediction_outputs(const std::vector<tfproto::NodeDef>& nodes,
                                            const std::vector<std::string>& losses);

// Names of the nodes TensorFlow took gradients of (from the gradient scope's
// node names); call before drop_training_nodes.
std::vector<std::string> differentiated_nodes(const std::vector<tfproto::NodeDef>& nodes);

}  // namespace leanrt::importer
