namespace ZilOnnx.Tests.Converter.Ops;

/// <summary>
/// The conformance cases this converter claims by name. A case that disappears from the test data, stops being
/// claimed, or starts failing breaks a test here instead of silently dropping out of the counts.
/// </summary>
internal static class RequiredCases
{
    private static IEnumerable<(string, string)> Node(params string[] names) => names.Select(n => ("node", n));
    private static IEnumerable<(string, string)> Converted(params string[] names) => names.Select(n => ("pytorch-converted", n));
    private static IEnumerable<(string, string)> Operator(params string[] names) => names.Select(n => ("pytorch-operator", n));

    public static readonly (string Suite, string Name)[] MustPass =
    [
        .. Node("test_conv_with_strides_padding", "test_conv_with_strides_no_padding", "test_conv_with_autopad_same",
            "test_conv_with_strides_and_asymmetric_padding", "test_basic_conv_with_padding", "test_basic_conv_without_padding"),
        .. Node("test_matmul_2d", "test_matmul_3d", "test_matmul_4d"),
        .. Node("test_add", "test_add_bcast"),
        .. Node("test_relu", "test_sigmoid", "test_sigmoid_example", "test_tanh", "test_tanh_example"),
        .. Node("test_maxpool_2d_default", "test_maxpool_2d_pads", "test_maxpool_2d_strides", "test_maxpool_2d_same_upper",
            "test_maxpool_2d_same_lower", "test_maxpool_2d_ceil", "test_maxpool_2d_dilations", "test_maxpool_2d_precomputed_pads",
            "test_maxpool_2d_precomputed_same_upper", "test_maxpool_2d_precomputed_strides"),
        .. Node("test_averagepool_2d_default", "test_averagepool_2d_pads", "test_averagepool_2d_pads_count_include_pad",
            "test_averagepool_2d_same_upper", "test_averagepool_2d_same_lower", "test_averagepool_2d_strides", "test_averagepool_2d_ceil",
            "test_averagepool_2d_precomputed_pads", "test_averagepool_2d_precomputed_pads_count_include_pad",
            "test_averagepool_2d_precomputed_same_upper", "test_averagepool_2d_precomputed_strides"),
        .. Node("test_globalaveragepool", "test_globalaveragepool_precomputed"),
        .. Node("test_maxpool_with_argmax_2d_precomputed_pads", "test_maxpool_with_argmax_2d_precomputed_strides"),
        .. Node("test_identity"),
        .. Node("test_dropout_default", "test_dropout_default_ratio", "test_dropout_default_old", "test_dropout_random_old"),
        // Training mode at ratio 0 keeps every element: the identity, in the PCN's forward and in ONNX Runtime.
        .. Node("test_training_dropout_zero_ratio"),
        .. Node("test_batchnorm_epsilon", "test_batchnorm_example"),
        .. Node("test_constant_pad", "test_constant"),
        .. Node("test_rnn_seq_length", "test_simple_rnn_batchwise", "test_simple_rnn_defaults", "test_simple_rnn_with_initial_bias"),
        .. Node("test_lstm_batchwise", "test_lstm_defaults", "test_lstm_with_initial_bias", "test_lstm_with_peepholes"),
        .. Node("test_gru_batchwise", "test_gru_defaults", "test_gru_seq_length", "test_gru_with_initial_bias"),
        .. Converted("test_Conv2d", "test_Conv2d_depthwise", "test_Conv2d_depthwise_padded", "test_Conv2d_depthwise_strided",
            "test_Conv2d_depthwise_with_multiplier", "test_Conv2d_dilated", "test_Conv2d_groups", "test_Conv2d_groups_thnn",
            "test_Conv2d_no_bias", "test_Conv2d_padding", "test_Conv2d_strided"),
        .. Converted("test_Linear", "test_BatchNorm2d_eval", "test_BatchNorm2d_momentum_eval",
            "test_BatchNorm1d_3d_input_eval", "test_BatchNorm3d_eval", "test_BatchNorm3d_momentum_eval"),
        .. Converted("test_AvgPool2d", "test_AvgPool2d_stride", "test_MaxPool2d", "test_MaxPool2d_stride_padding_dilation"),
        .. Converted("test_ReLU", "test_Sigmoid", "test_Tanh", "test_LogSoftmax", "test_Softmax", "test_ZeroPad2d", "test_ConstantPad2d"),
        .. Converted("test_log_softmax_dim3", "test_log_softmax_lastdim", "test_softmax_functional_dim3", "test_softmax_lastdim"),
        // Opset-6 Add with legacy broadcast (axis given), Gemm-6, and opset-6 Conv/Flatten/Reshape exports.
        .. Operator("test_operator_add_broadcast", "test_operator_add_size1_broadcast", "test_operator_add_size1_right_broadcast",
            "test_operator_add_size1_singleton_broadcast", "test_operator_addconstant", "test_operator_addmm", "test_operator_mm",
            "test_operator_conv", "test_operator_flatten", "test_operator_view"),
        ("simple", "test_single_relu_model"),
        // Glue around recurrent layers and reshapes.
        .. Node("test_gather_0", "test_gather_1", "test_gather_2d_indices", "test_gather_negative_indices"),
        .. Node("test_cast_FLOAT_to_DOUBLE", "test_cast_DOUBLE_to_FLOAT", "test_cast_FLOAT_to_FLOAT16", "test_cast_FLOAT16_to_FLOAT",
            "test_cast_DOUBLE_to_FLOAT16", "test_cast_FLOAT16_to_DOUBLE"),
        .. Converted("test_Embedding", "test_Embedding_sparse", "test_Linear_no_bias", "test_PixelShuffle", "test_AvgPool1d", "test_AvgPool1d_stride"),
        .. Operator("test_operator_concat2", "test_operator_index", "test_operator_permute2"),
        // Elementwise activations and math, on data.
        .. Node("test_leakyrelu", "test_leakyrelu_default", "test_leakyrelu_example", "test_elu", "test_elu_default", "test_elu_example",
            "test_selu", "test_selu_default", "test_selu_example", "test_celu", "test_celu_expanded", "test_prelu_broadcast", "test_prelu_example",
            "test_softplus", "test_softplus_example", "test_softsign", "test_softsign_example", "test_hardsigmoid", "test_hardsigmoid_default",
            "test_hardsigmoid_example", "test_hardswish", "test_hardswish_expanded", "test_erf", "test_neg", "test_neg_example",
            "test_exp", "test_exp_example", "test_log", "test_log_example", "test_sqrt", "test_sqrt_example", "test_abs",
            "test_reciprocal", "test_reciprocal_example"),
        .. Node("test_clip", "test_clip_default_inbounds", "test_clip_default_max", "test_clip_default_min", "test_clip_example",
            "test_clip_inbounds", "test_clip_outbounds", "test_clip_splitbounds"),
        .. Node("test_pow", "test_pow_bcast_array", "test_pow_bcast_scalar", "test_pow_example", "test_pow_types_float32_int32",
            "test_pow_types_float32_int64", "test_pow_types_float32_uint32", "test_pow_types_float32_uint64", "test_pow_types_int"),
        .. Node("test_mul", "test_mul_bcast", "test_mul_example", "test_sub", "test_sub_bcast", "test_sub_example",
            "test_div", "test_div_bcast", "test_div_example"),
        .. Node("test_sum_example", "test_sum_one_input", "test_sum_two_inputs", "test_mean_example", "test_mean_one_input",
            "test_mean_two_inputs", "test_max_example", "test_max_float16", "test_max_float32", "test_max_float64", "test_max_one_input",
            "test_max_two_inputs", "test_min_example", "test_min_float16", "test_min_float32", "test_min_float64", "test_min_one_input",
            "test_min_two_inputs"),
        .. Converted("test_ELU", "test_LeakyReLU", "test_LeakyReLU_with_negval", "test_PReLU_1d", "test_PReLU_1d_multiparam",
            "test_PReLU_2d", "test_PReLU_2d_multiparam", "test_PReLU_3d", "test_PReLU_3d_multiparam", "test_SELU", "test_Softplus",
            "test_Softsign", "test_Softmin", "test_PoissonNLLLLoss_no_reduce"),
        .. Operator("test_operator_basic", "test_operator_clip", "test_operator_exp", "test_operator_max", "test_operator_min",
            "test_operator_params", "test_operator_pow", "test_operator_selu", "test_operator_sqrt", "test_operator_symbolic_override_nested"),
        ("simple", "test_expand_shape_model1"), ("simple", "test_expand_shape_model2"),
        ("simple", "test_expand_shape_model3"), ("simple", "test_expand_shape_model4"),
        // Reductions and normalizations.
        .. Node("test_instancenorm_epsilon", "test_instancenorm_example", "test_lrn", "test_lrn_default"),
        .. Operator("test_operator_reduced_mean", "test_operator_reduced_mean_keepdim", "test_operator_reduced_sum",
            "test_operator_reduced_sum_keepdim"),
        // Spatial operators: 1-D and 3-D windows, transposed convolution, global max pooling, pad modes, block
        // rearrangements, tiling, nearest and linear resizing. (test_reflect_pad and test_edge_pad convert, but hold
        // int32 data and are not compared; OnnxRuntimeDifferentialTests covers those modes on float data.)
        .. Node("test_maxpool_1d_default", "test_maxpool_3d_default", "test_averagepool_1d_default", "test_averagepool_3d_default",
            "test_globalmaxpool", "test_globalmaxpool_precomputed"),
        .. Node("test_convtranspose", "test_convtranspose_1d", "test_convtranspose_3d", "test_convtranspose_autopad_same",
            "test_convtranspose_dilations", "test_convtranspose_kernel_shape", "test_convtranspose_output_shape", "test_convtranspose_pad",
            "test_convtranspose_pads", "test_convtranspose_with_kernel"),
        .. Node("test_depthtospace_crd_mode", "test_depthtospace_crd_mode_example", "test_depthtospace_dcr_mode", "test_depthtospace_example",
            "test_spacetodepth", "test_spacetodepth_example", "test_tile", "test_tile_precomputed"),
        .. Node("test_resize_downsample_scales_linear", "test_resize_downsample_scales_nearest",
            "test_resize_downsample_sizes_linear_pytorch_half_pixel", "test_resize_downsample_sizes_nearest",
            "test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn", "test_resize_upsample_scales_linear",
            "test_resize_upsample_scales_linear_align_corners", "test_resize_upsample_scales_nearest", "test_resize_upsample_sizes_nearest",
            "test_resize_upsample_sizes_nearest_ceil_half_pixel", "test_resize_upsample_sizes_nearest_floor_align_corners",
            "test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric", "test_upsample_nearest"),
        .. Converted("test_Conv1d", "test_Conv1d_dilated", "test_Conv1d_groups", "test_Conv1d_pad1", "test_Conv1d_pad1size1", "test_Conv1d_pad2",
            "test_Conv1d_pad2size1", "test_Conv1d_stride", "test_Conv3d", "test_Conv3d_dilated", "test_Conv3d_dilated_strided", "test_Conv3d_groups",
            "test_Conv3d_no_bias", "test_Conv3d_stride", "test_Conv3d_stride_padding", "test_ConvTranspose2d", "test_ConvTranspose2d_no_bias"),
        .. Converted("test_AvgPool3d", "test_AvgPool3d_stride", "test_AvgPool3d_stride1_pad0_gpu_input", "test_MaxPool1d", "test_MaxPool1d_stride",
            "test_MaxPool1d_stride_padding_dilation", "test_MaxPool3d", "test_MaxPool3d_stride", "test_MaxPool3d_stride_padding",
            "test_ReflectionPad2d", "test_ReplicationPad2d"),
        .. Operator("test_operator_convtranspose", "test_operator_maxpool", "test_operator_pad", "test_operator_repeat", "test_operator_repeat_dim_overflow"),
        // Several outputs of one node: every Split part, and LayerNormalization's Mean and InvStdDev.
        .. Node("test_split_equal_parts_1d", "test_split_equal_parts_2d", "test_split_equal_parts_default_axis",
            "test_split_variable_parts_1d", "test_split_variable_parts_2d", "test_split_variable_parts_default_axis",
            "test_split_zero_size_splits"),
        .. Converted("test_GLU_dim"),
        .. Operator("test_operator_chunk"),
        .. Node("test_layer_normalization_2d_axis0", "test_layer_normalization_2d_axis1",
            "test_layer_normalization_2d_axis_negative_1", "test_layer_normalization_2d_axis_negative_2",
            "test_layer_normalization_3d_axis0_epsilon", "test_layer_normalization_3d_axis1_epsilon",
            "test_layer_normalization_3d_axis2_epsilon", "test_layer_normalization_3d_axis_negative_1_epsilon",
            "test_layer_normalization_3d_axis_negative_2_epsilon",
            "test_layer_normalization_3d_axis_negative_3_epsilon", "test_layer_normalization_4d_axis0",
            "test_layer_normalization_4d_axis1", "test_layer_normalization_4d_axis2",
            "test_layer_normalization_4d_axis3", "test_layer_normalization_4d_axis_negative_1",
            "test_layer_normalization_4d_axis_negative_2", "test_layer_normalization_4d_axis_negative_3",
            "test_layer_normalization_4d_axis_negative_4", "test_layer_normalization_default_axis"),
    ];

    /// <summary>Families required whole: every case whose name starts with the prefix (the *_expanded forms,
    /// which spell Softmax out in operators outside the registry, excepted).</summary>
    public static readonly (string Suite, string Prefix)[] Families =
    [
        ("node", "test_gemm_"), ("node", "test_flatten_"), ("node", "test_reshape_"),
        ("node", "test_softmax_"), ("node", "test_logsoftmax_"),
        ("node", "test_shape"), ("node", "test_size"), ("node", "test_constantofshape_"),
        ("node", "test_unsqueeze_"), ("node", "test_squeeze"), ("node", "test_concat_"),
        ("node", "test_slice"), ("node", "test_transpose_"), ("node", "test_expand_"),
        ("node", "test_reduce_mean_"), ("node", "test_reduce_sum_"), ("node", "test_reduce_max_"), ("node", "test_reduce_min_"),
        ("node", "test_reduce_prod_"), ("node", "test_reduce_l1_"), ("node", "test_reduce_l2_"), ("node", "test_reduce_log_sum"),
    ];

    /// <summary>
    /// Cases whose data is integer: they convert (the PCN holds integer data as a vertex), but training and the
    /// float comparison do not apply, so the runner does not claim them. Integer arithmetic on constants is
    /// evaluated at conversion time and tested on shape arithmetic instead.
    /// </summary>
    public static readonly (string Suite, string Name)[] IntegerDataNotClaimed =
    [
        .. Node("test_sub_uint8", "test_mul_uint8", "test_div_uint8", "test_clip_default_int8_inbounds", "test_clip_default_int8_max",
            "test_clip_default_int8_min", "test_pow_types_float", "test_pow_types_int32_float32", "test_pow_types_int32_int32",
            "test_pow_types_int64_float32", "test_pow_types_int64_int64"),
        .. new[] { "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64" }
            .SelectMany(t => Node($"test_max_{t}", $"test_min_{t}")),
        ("pytorch-operator", "test_operator_non_float_params"),
    ];

    /// <summary>Cases whose reference data contradicts the spec or the case's own model; not claimed, with the reason.</summary>
    public static readonly IReadOnlyDictionary<(string Suite, string Name), string> DefectiveData = new Dictionary<(string, string), string>
    {
        [("node", "test_cast_FLOAT_to_BFLOAT16")] = "the reference output stores the bfloat16 NaN as the number 32704 (its bit pattern 0x7FC0)",
        [("node", "test_cast_BFLOAT16_to_FLOAT")] = "the input stores the bfloat16 NaN as the number 32704 (its bit pattern 0x7FC0) but expects NaN",
        [("node", "test_castlike_FLOAT_to_BFLOAT16_expanded")] = "the data set feeds 'like' with shape [1], the model declares [3, 4]",
        [("node", "test_castlike_BFLOAT16_to_FLOAT_expanded")] = "the data set feeds 'like' with shape [1], the model declares [3, 4]",
    };

    /// <summary>
    /// Cases whose reference output is one random draw (training-mode Dropout with a ratio above 0): no other generator
    /// reproduces it, so they are not claimed; the masks zilonnx draws are tested on their own (TrainingModeTests).
    /// </summary>
    public static readonly IReadOnlyDictionary<(string Suite, string Name), string> RandomReference = new Dictionary<(string, string), string>
    {
        [("node", "test_training_dropout")] = "training-mode Dropout: the reference output is one draw of numpy's generator",
        [("node", "test_training_dropout_default")] = "training-mode Dropout: the reference output is one draw of numpy's generator",
    };

    public static bool InFamily(string name, string prefix) => name.StartsWith(prefix, StringComparison.Ordinal) && !name.EndsWith("_expanded", StringComparison.Ordinal);

    private const string OutputNotSupported = "is read, but this output is not supported";

    public static readonly (string Suite, string Name, string Message)[] MustBeRejected =
    [
        // The training form is supported, but these graphs output the updated running statistics.
        ("node", "test_batchnorm_epsilon_training_mode", OutputNotSupported),
        ("node", "test_batchnorm_example_training_mode", OutputNotSupported),
        ("node", "test_dropout_default_mask", OutputNotSupported),
        ("node", "test_dropout_default_mask_ratio", OutputNotSupported),
        // Resize: cubic mode and tf_crop_and_resize coordinates are not mapped.
        .. new[] { "test_resize_downsample_scales_cubic", "test_resize_downsample_scales_cubic_A_n0p5_exclude_outside",
            "test_resize_downsample_scales_cubic_align_corners", "test_resize_downsample_sizes_cubic", "test_resize_upsample_scales_cubic",
            "test_resize_upsample_scales_cubic_A_n0p5_exclude_outside", "test_resize_upsample_scales_cubic_align_corners",
            "test_resize_upsample_scales_cubic_asymmetric", "test_resize_upsample_sizes_cubic" }.Select(n => ("node", n, "mode 'cubic' is not supported")),
        ("node", "test_resize_tf_crop_and_resize", "coordinate_transformation_mode 'tf_crop_and_resize' is not supported"),
        // The reference follows the spec (resized length 4 x 0.6 = 2.4), ONNX Runtime the rounded size 2: refused.
        ("node", "test_resize_downsample_scales_linear_align_corners", "ONNX Runtime does not compute it as the ONNX specification defines"),
        ("pytorch-converted", "test_GLU", "negative 'axis' needs opset 11"),
    ];
}
