    // Contrast around mid grey: value 1 = unchanged, 0 = flat grey, 2 = doubled.
    return (color - 0.5) * value + 0.5;
