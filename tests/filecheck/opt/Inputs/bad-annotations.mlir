func.func @not_produced(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{never happens}}
  %y = tensor_graph.neg %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

func.func @unexpected(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = "tensor_graph.neg"(%x) : (tensor<4xf32>) -> tensor<5xf32>
  func.return %x : tensor<4xf32>
}

// -----

func.func @wrong_text(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = "tensor_graph.neg"(%x) : (tensor<4xf32>) -> tensor<5xf32> // expected-error {{some other message}}
  func.return %x : tensor<4xf32>
}

// -----

func.func @wrong_kind(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = "tensor_graph.neg"(%x) : (tensor<4xf32>) -> tensor<5xf32> // expected-warning {{does not match}}
  func.return %x : tensor<4xf32>
}

// -----

func.func @wrong_line(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+2 {{does not match}}
  %y = "tensor_graph.neg"(%x) : (tensor<4xf32>) -> tensor<5xf32>
  func.return %x : tensor<4xf32>
}

// -----

func.func @fine(%x: tensor<4xf32>) -> tensor<4xf32> {
  func.return %x : tensor<4xf32>
}
// expected-error@below {{nothing below}}
