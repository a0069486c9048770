/// The zoo's models by name: what each trains on, what it must reach, and how to run it.
module Functional.Models.Zoo.Registry

/// One zoo model.
type ZooEntry =
    {
        /// The name used on the command line (`train <name>`).
        Name: string
        /// What the model is.
        Description: string
        /// The dataset it trains on.
        Dataset: string
        /// The result it should reach at full budget.
        Target: string
        /// Trains (quickly with `Quick = true`), prints progress and ends with the `test <metric>: <value>` line.
        Run: ZooOptions -> ZooResult
        /// The held-out set and metric of a checkpoint (`evaluate`/`predict`); the flag says a quick run's data.
        Evaluation: bool -> ZooEvaluation
    }

/// Every zoo model, in the order of the issue's table.
let all: ZooEntry list =
    [
        {
            Name = Linreg.name
            Description =
                "linear regression by full-batch gradient descent, checked against the QR closed form"
            Dataset = "diabetes (scikit-learn, embedded)"
            Target = "weights = closed form to 1e-4; report test R²"
            Run = Linreg.run
            Evaluation = Linreg.evaluation
        }
        {
            Name = Logreg.name
            Description = "logistic regression on standardized features"
            Dataset = "breast cancer (scikit-learn, embedded)"
            Target = "test accuracy >= 0.95"
            Run = Logreg.run
            Evaluation = Logreg.evaluation
        }
        {
            Name = MlpDigits.name
            Description = "MLP 64-256-128-10 with dropout"
            Dataset = "8x8 digits (embedded)"
            Target = "test accuracy >= 0.97"
            Run = MlpDigits.run
            Evaluation = MlpDigits.evaluation
        }
        {
            Name = CnnMnist.name
            Description = "CNN: 2 conv blocks (32, 64) + dense 128"
            Dataset = "MNIST"
            Target = "test accuracy >= 0.992"
            Run = CnnMnist.run
            Evaluation = CnnMnist.evaluation
        }
        {
            Name = CnnFashion.name
            Description = "CNN: 2 conv blocks (32, 64) with batch norm + dense 256, dropout"
            Dataset = "Fashion-MNIST"
            Target = "test accuracy >= 0.925"
            Run = CnnFashion.run
            Evaluation = CnnFashion.evaluation
        }
        {
            Name = TextClassify.name
            Description = "word embeddings + GRU vs bag-of-words logistic regression"
            Dataset = "SpamAssassin e-mails (80/20)"
            Target = "test F1 >= 0.95 and above the bag-of-words baseline"
            Run = TextClassify.run
            Evaluation = TextClassify.evaluation
        }
        {
            Name = TransformerText.name
            Description = "small Transformer encoder (2 layers, 4 heads) vs bag-of-words logistic regression"
            Dataset = "SpamAssassin e-mails (80/20)"
            Target = "test F1 >= 0.95 and above the bag-of-words baseline"
            Run = TransformerText.run
            Evaluation = TransformerText.evaluation
        }
        {
            Name = CharGen.name
            Description = "character-level LSTM (256) with temperature sampling vs a bigram model"
            Dataset = "Moby-Dick (90/10 by position)"
            Target = "validation perplexity below the bigram baseline"
            Run = CharGen.run
            Evaluation = CharGen.evaluation
        }
        {
            Name = MfRecommender.name
            Description = "matrix factorization with biases (32 factors), per-row L2"
            Dataset = "MovieLens small ratings (80/20)"
            Target = "test RMSE <= 0.90 and below the global mean + biases baseline"
            Run = MfRecommender.run
            Evaluation = MfRecommender.evaluation
        }
        {
            Name = DeepRecommender.name
            Description = "NCF-style embeddings + MLP, compared with mf-recommender"
            Dataset = "MovieLens small ratings (80/20)"
            Target = "report RMSE and top-10 hit rate vs mf-recommender"
            Run = DeepRecommender.run
            Evaluation = DeepRecommender.evaluation
        }
    ]

/// The registry names.
let names = all |> List.map (fun e -> e.Name)

/// The entry of a name, if there is one.
let tryFind (name: string) : ZooEntry option =
    all |> List.tryFind (fun e -> e.Name = name)
