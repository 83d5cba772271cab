"""Class-conditional image generation: a GAN, a VAE baseline and the classifier that scores them."""
