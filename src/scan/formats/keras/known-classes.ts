/**
 * Class names Keras (2.x/tf.keras and 3.x) deserialises from its own registry without custom
 * code: layers, models, initializers, regularizers, constraints, optimizers and schedules,
 * losses, metrics, dtype policies. A class outside this list needs user code (`custom_objects`
 * or a registered package) — reported as a custom object. Lambda-style layers are judged
 * separately.
 */
const LAYERS = `
Activation ActivityRegularization Add AdditiveAttention AlphaDropout Attention Average AveragePooling1D AveragePooling2D
AveragePooling3D AvgPool1D AvgPool2D AvgPool3D BatchNormalization Bidirectional CategoryEncoding CenterCrop Concatenate Conv1D
Conv1DTranspose Conv2D Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D Convolution1D Convolution2D
Convolution3D Cropping1D Cropping2D Cropping3D Dense DepthwiseConv1D DepthwiseConv2D Discretization Dot Dropout ELU
EinsumDense Embedding Equalization Flatten GRU GRUCell GaussianDropout GaussianNoise GlobalAveragePooling1D
GlobalAveragePooling2D GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D GlobalMaxPool2D
GlobalMaxPool3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GroupNormalization GroupQueryAttention Hashing
HashedCrossing Identity InputLayer InputSpec IntegerLookup LSTM LSTMCell Layer LayerNormalization LeakyReLU Masking
MaxPool1D MaxPool2D MaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D Maximum MelSpectrogram Minimum MultiHeadAttention
Multiply Normalization PReLU Permute RNN RandomBrightness RandomContrast RandomCrop RandomFlip RandomHeight RandomRotation
RandomTranslation RandomWidth RandomZoom ReLU RepeatVector Rescaling Reshape Resizing SeparableConv1D SeparableConv2D
SeparableConvolution1D SeparableConvolution2D SimpleRNN SimpleRNNCell Softmax SpatialDropout1D SpatialDropout2D
SpatialDropout3D SpectralNormalization StackedRNNCells StringLookup Subtract TextVectorization ThresholdedReLU
TimeDistributed UnitNormalization UpSampling1D UpSampling2D UpSampling3D Wrapper ZeroPadding1D ZeroPadding2D ZeroPadding3D
CuDNNGRU CuDNNLSTM DenseFeatures LocallyConnected1D LocallyConnected2D AbstractRNNCell PeepholeLSTMCell RandomFourierFeatures
AutoContrast Solarization RandomGrayscale RandomHue RandomSaturation RandomSharpness RandomColorDegeneration
RandomColorJitter RandomPosterization RandomShear RandomInvert RandomErasing RandomGaussianBlur RandomPerspective
RandomElasticTransform AugMix CutMix MixUp RandAugment Pipeline STFTSpectrogram ReversibleEmbedding RMSNormalization
`;
const MODELS = 'Functional Sequential Model';
const INITIALIZERS = `
Constant GlorotNormal GlorotUniform HeNormal HeUniform Identity LecunNormal LecunUniform Ones Orthogonal RandomNormal
RandomUniform TruncatedNormal VarianceScaling Zeros OrthogonalInitializer IdentityInitializer STFT STFTInitializer
glorot_normal glorot_uniform he_normal he_uniform lecun_normal lecun_uniform ones zeros orthogonal random_normal
random_uniform truncated_normal variance_scaling constant identity
`;
const REGULARIZERS = 'L1 L1L2 L2 OrthogonalRegularizer Regularizer l1 l2 l1_l2';
const CONSTRAINTS = 'Constraint MaxNorm MinMaxNorm NonNeg RadialConstraint UnitNorm max_norm min_max_norm non_neg unit_norm';
const OPTIMIZERS = `
Adadelta Adafactor Adagrad Adam AdamW Adamax Ftrl Lamb Lion LossScaleOptimizer Muon Nadam Optimizer RMSprop SGD
CosineDecay CosineDecayRestarts ExponentialDecay InverseTimeDecay PiecewiseConstantDecay PolynomialDecay LearningRateSchedule
`;
const LOSSES = `
BinaryCrossentropy BinaryFocalCrossentropy CategoricalCrossentropy CategoricalFocalCrossentropy CategoricalHinge
CosineSimilarity Dice Hinge Huber KLDivergence LogCosh Loss LossFunctionWrapper MeanAbsoluteError
MeanAbsolutePercentageError MeanSquaredError MeanSquaredLogarithmicError Poisson SparseCategoricalCrossentropy SquaredHinge
Tversky CTC Circle
`;
const METRICS = `
AUC Accuracy BinaryAccuracy BinaryCrossentropy BinaryIoU CategoricalAccuracy CategoricalCrossentropy CategoricalHinge
ConcordanceCorrelation CosineSimilarity F1Score FBetaScore FalseNegatives FalsePositives Hinge IoU KLDivergence LogCoshError
Mean MeanAbsoluteError MeanAbsolutePercentageError MeanIoU MeanMetricWrapper MeanSquaredError MeanSquaredLogarithmicError
Metric OneHotIoU OneHotMeanIoU PearsonCorrelation Poisson Precision PrecisionAtRecall R2Score Recall RecallAtPrecision
RootMeanSquaredError SensitivityAtSpecificity SparseCategoricalAccuracy SparseCategoricalCrossentropy
SparseTopKCategoricalAccuracy SpecificityAtSensitivity SquaredHinge Sum TopKCategoricalAccuracy TrueNegatives TruePositives
`;
const POLICIES = 'DTypePolicy FloatDTypePolicy QuantizedDTypePolicy QuantizedFloat8DTypePolicy DTypePolicyMap Policy';
const SPECIAL = '__tensor__ __numpy__ __typespec__ __bytes__ __ellipsis__ __slice__ __keras_tensor__ __tuple__ function TensorShape TensorSpec';

export const KERAS_CLASS_NAMES: ReadonlySet<string> = new Set(
  [LAYERS, MODELS, INITIALIZERS, REGULARIZERS, CONSTRAINTS, OPTIMIZERS, LOSSES, METRICS, POLICIES, SPECIAL].join(' ').split(/\s+/).filter((s) => s.length > 0),
);

/** Layers that wrap a Python callable. */
export const LAMBDA_CLASSES: ReadonlySet<string> = new Set(['Lambda', 'TFOpLambda', 'SlicingOpLambda']);
